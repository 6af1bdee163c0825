#include "daemon/dockctl/commands.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <map>

namespace dockd::dockctl {
namespace json = boost::json;

namespace {}  // namespace

// Says what went wrong in words a person at the station can act on.
int explain(const std::string& what, const Reply& r) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    std::string message = r.body;
    if (!ec && v.is_object() && v.as_object().contains("message")) message = str(v.at("message"));
    while (!message.empty() && message.back() == '\n') message.pop_back();
    if (r.status == 401) {
        std::cerr << "dockctl: the daemon refused the token (HTTP 401): give a valid one with --token-file\n";
        return exit_usage;
    }
    if (r.status == 403 && !ec && v.is_object() && v.as_object().contains("error") &&
        str(v.at("error")) == "approval_required") {
        std::cerr << "dockctl: the station requires an approval reference (seed R6): give --approval-ref REF\n";
        return exit_usage;
    }
    if (r.status == 403) {
        std::cerr << "dockctl: this token may not do that (HTTP 403): " << message << "\n";
        return exit_usage;
    }
    std::cerr << "dockctl: " << what << ": HTTP " << r.status << ": " << message << "\n";
    return r.status == 400 || r.status == 413 ? exit_usage : exit_failure;
}

namespace {

std::size_t display_width(const std::string& s) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        w += len == 3 ? 2 : 1;  // CJK (3-byte UTF-8) takes two terminal cells
        i += len;
    }
    return w;
}

}  // namespace

std::optional<json::value> call(const Client& c, const std::string& method, const std::string& path,
                                const std::string& body, int& code) {
    auto r = c.request(method, path, body);
    if (!r) {
        std::cerr << "dockctl: " << r.error().message << "\n";
        code = exit_failure;
        return std::nullopt;
    }
    if (r->status < 200 || r->status > 299) {
        code = explain(method + " " + path, *r);
        return std::nullopt;
    }
    boost::system::error_code ec;
    auto v = json::parse(r->body, ec);
    if (ec) {
        std::cerr << "dockctl: " << path << ": the daemon answered something that is not JSON\n";
        code = exit_failure;
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> call_text(const Client& c, const std::string& path, const std::string& accept, int& code) {
    auto r = c.get(path, accept);
    if (!r) {
        std::cerr << "dockctl: " << r.error().message << "\n";
        code = exit_failure;
        return std::nullopt;
    }
    if (r->status != 200) {
        code = explain("GET " + path, *r);
        return std::nullopt;
    }
    return r->body;
}

std::string str(const json::value& v) {
    if (v.is_null()) return "-";
    if (v.is_string()) return std::string(v.as_string());
    return json::serialize(v);
}

std::string mib(const json::value& bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes.is_number() ? bytes.to_number<double>() / 1048576.0 : 0.0);
    return buf;
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (widths.size() <= i) widths.push_back(0);
            widths[i] = std::max(widths[i], display_width(r[i]));
        }
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(widths[i] - display_width(r[i]) + 2, ' ');
        }
        std::cout << line << "\n";
    }
}

int usage_error(const std::string& message) {
    std::cerr << "dockctl: " << message << "\n";
    return exit_usage;
}

int run_command(const Client& client, const std::vector<std::string>& words, const Options& o) {
    using Command = int (*)(const Client&, const std::vector<std::string>&, const Options&);
    static const std::map<std::string, Command> commands{
        {"status", cmd_status},         {"ports", cmd_ports},   {"power", cmd_power},
        {"assign", cmd_assign},         {"queue", cmd_queue},   {"retain", cmd_retain},
        {"annotate", cmd_annotate},     {"ledger", cmd_ledger}, {"access-log", cmd_access_log},
        {"export", cmd_export},         {"verify", cmd_verify}, {"pubkey", cmd_pubkey},
        {"rotate-key", cmd_rotate_key}, {"stats", cmd_stats},   {"undescribed", cmd_undescribed}};
    auto it = commands.find(words.front());
    if (it == commands.end()) return usage_error("unknown command '" + words.front() + "' (see dockctl --help)");
    return it->second(client, std::vector<std::string>(words.begin() + 1, words.end()), o);
}

}  // namespace dockd::dockctl
