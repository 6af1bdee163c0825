// checks: what a docked recorder must show before its bay says "ready"
// beyond charge and clock (seed R2: enough storage; a known firmware).
#include <climits>
#include <set>

#include "daemon/config/reader.hpp"

namespace dockd::config::detail {
namespace {

// Versions compare by their dot-separated parts: numerically where both
// parts are numbers, as text otherwise ("1.10" > "1.9").
bool is_version(const std::string& v) {
    if (v.empty() || v.size() > 64) return false;
    for (char c : v)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) return false;
    return true;
}

void read_rule(Context& ctx, const YAML::Node& item, std::size_t index, std::set<std::string>& models,
               std::vector<FirmwareRule>& out) {
    const std::string where = "checks.firmware[" + std::to_string(index) + "]";
    Section s(ctx, item, where, {"model", "min_version", "allowed"}, Context::line_of(item));
    if (!s.valid()) return;
    FirmwareRule rule;
    rule.line = Context::line_of(item);
    s.require("model");
    if (s.string("model", rule.model) && !models.insert(rule.model).second)
        ctx.error(s.get("model"), where + ".model: a second rule for model " + rule.model);
    std::string min;
    if (s.string("min_version", min)) {
        if (is_version(min))
            rule.min_version = min;
        else
            ctx.error(s.get("min_version"), where + ".min_version: '" + min + "' is not a version such as 1.2.3");
    }
    for (const YAML::Node& v : s.sequence("allowed")) {
        if (!v.IsScalar() || !is_version(v.Scalar())) {
            ctx.error(v, where + ".allowed: expected versions such as 1.2.3");
            continue;
        }
        rule.allowed.push_back(v.Scalar());
    }
    if (!rule.min_version && rule.allowed.empty())
        ctx.error(rule.line, where + ": give min_version or allowed (a rule allowing everything is no rule)");
    out.push_back(std::move(rule));
}

}  // namespace

void read_checks(Section& root, ChecksConfig& out) {
    Context& ctx = root.ctx();
    Section s(ctx, root.get("checks"), "checks", {"min_free_storage", "firmware"}, root.line("checks"));
    if (!s.valid()) return;
    s.size("min_free_storage", out.min_free_storage, 0, UINT64_MAX);
    std::set<std::string> models;
    std::size_t index = 0;
    for (const YAML::Node& item : s.sequence("firmware")) read_rule(ctx, item, index++, models, out.firmware);
}

}  // namespace dockd::config::detail
