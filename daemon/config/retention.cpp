// retention: how long footage is kept (seed R7), in how many copies (R8), and
// by when it must be described (R9); purge and upload deadline (R3).
#include <climits>
#include <regex>

#include "daemon/config/reader.hpp"

namespace dockd::config::detail {
namespace {

// Class names are words: they travel in manifests and S3 metadata as they are.
bool is_class_name(const std::string& n) {
    static const std::regex word("[a-z][a-z0-9_]{0,31}");
    return std::regex_match(n, word);
}

void read_classes(Section& s, RetentionConfig& out) {
    if (!s.has("classes")) return;
    Context& ctx = s.ctx();
    YAML::Node node = s.get("classes");
    if (!node.IsMap()) {
        if (!node.IsNull()) ctx.error(node, "retention.classes: expected a mapping such as {standard: 90d}");
        return;
    }
    for (const auto& item : node) {
        const std::string name = item.first.Scalar();
        if (!is_class_name(name)) {
            ctx.error(item.first, "retention.classes: '" + name + "' is not a class name (lower-case word)");
            continue;
        }
        const auto d = item.second.IsScalar() ? parse_duration(item.second.Scalar()) : std::nullopt;
        if (!d || d->count() <= 0) {
            ctx.error(item.second, "retention.classes." + name + ": bad duration (expected e.g. 90d, 730d)");
            continue;
        }
        bool known = false;
        for (auto& c : out.classes)
            if (c.name == name) c.duration = *d, known = true;
        if (!known) out.classes.push_back({name, *d});
    }
    // R8 preservation must not end before ordinary footage does.
    if (*out.duration_of("long_term") < *out.duration_of("standard"))
        ctx.error(node, "retention.classes: long_term must be at least as long as standard");
}

// "2 working days", "1 working day", or a duration ("48h").
void read_describe_deadline(Section& s, DescribeDeadline& out) {
    auto text = s.scalar("describe_deadline", "a deadline such as \"2 working days\" or 48h");
    if (!text) return;
    static const std::regex working(R"(\s*(\d{1,2})\s+working\s+days?\s*)");
    std::smatch m;
    if (std::regex_match(*text, m, working)) {
        out.working_days = std::stoi(m[1]);
        if (out.working_days > 0) return;
    } else if (auto d = parse_duration(*text); d && d->count() > 0) {
        out.working_days = 0;
        out.after = *d;
        return;
    }
    s.ctx().error(s.get("describe_deadline"), "retention.describe_deadline: '" + *text +
                                                  "' is not \"N working days\" (N >= 1) nor a duration such as 48h");
}

void read_week(Section& s, DescribeDeadline& out) {
    static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    if (!s.has("working_days")) return;
    std::vector<int> week;
    for (const YAML::Node& item : s.sequence("working_days")) {
        int day = -1;
        for (int i = 0; i < 7; ++i)
            if (item.IsScalar() && item.Scalar() == names[i]) day = i;
        if (day < 0)
            s.ctx().error(item, "retention.working_days: expected mon, tue, wed, thu, fri, sat or sun");
        else
            week.push_back(day);
    }
    if (week.empty()) s.ctx().error(s.line("working_days"), "retention.working_days: name at least one day");
    out.week = std::move(week);
}

void read_dates(Section& s, const char* key, std::vector<std::string>& out) {
    static const std::regex date(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))");
    for (const YAML::Node& item : s.sequence(key)) {
        if (!item.IsScalar() || !std::regex_match(item.Scalar(), date)) {
            s.ctx().error(item, s.name(key) + ": expected a date YYYY-MM-DD");
            continue;
        }
        out.push_back(item.Scalar());
    }
}

}  // namespace

void read_retention(Section& root, RetentionConfig& out) {
    Section s(root.ctx(), root.get("retention"), "retention",
              {"purge_staging_after_archive", "upload_deadline", "classes", "long_term_copies", "describe_deadline",
               "working_days", "holidays", "make_up_days"},
              root.line("retention"));
    if (!s.valid()) return;
    s.boolean("purge_staging_after_archive", out.purge_staging_after_archive);
    s.duration("upload_deadline", out.upload_deadline, Millis(1));
    read_classes(s, out);
    if (s.integer("long_term_copies", out.long_term_copies, 1, 16))
        out.long_term_copies_line = s.line("long_term_copies");
    read_describe_deadline(s, out.describe);
    read_week(s, out.describe);
    read_dates(s, "holidays", out.describe.holidays);
    read_dates(s, "make_up_days", out.describe.make_up_days);
}

// After upload and retention are read: R8's copies need as many targets. A
// station with no target at all archives nothing (the upload_deadline alert
// says so) and is left alone: that is a bench or a demo, not an archive.
void check_copies(Context& ctx, int targets, const RetentionConfig& retention, int targets_line) {
    const int n = targets;
    if (n == 0 || n >= retention.long_term_copies) return;
    const int line = retention.long_term_copies_line ? retention.long_term_copies_line : targets_line;
    ctx.error(line, "retention.long_term_copies is " + std::to_string(retention.long_term_copies) +
                        " but upload.targets lists " + std::to_string(n) + (n == 1 ? " target" : " targets") +
                        ": long-term footage needs that many copies (seed R8); add a target or set "
                        "retention.long_term_copies: " +
                        std::to_string(n) + " to accept fewer");
}

}  // namespace dockd::config::detail
