#include "daemon/api/metrics.hpp"

#include <algorithm>
#include <sstream>

namespace dockd::api {
namespace {

constexpr auto throughput_window = std::chrono::seconds(60);

// Label values escape backslash, quote and newline (exposition format).
std::string label(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

struct Writer {
    std::ostringstream out;
    void family(const char* name, const char* type, const char* help) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    }
    template <class V>
    void sample(const std::string& name, const std::string& labels, V value) {
        out << name;
        if (!labels.empty()) out << '{' << labels << '}';
        out << ' ' << value << '\n';
    }
};

// Alerts are "code: message" (README, /api/v1/station); a bay's are "bay N fault: ..."
// (bay_fault) or "bay N: ..." (bay_error). Every code is present, 0 when clear,
// so alert rules and dashboards always find the series.
std::map<std::string, int> alerts_by_code(const std::vector<std::string>& alerts) {
    std::map<std::string, int> n{
        {"upload_deadline", 0},     {"disk_low", 0},  {"upload_failing", 0}, {"overdue", 0},
        {"host_clock_unsynced", 0}, {"bay_fault", 0}, {"bay_error", 0},      {"credentials", 0},
        {"no_bucket", 0},           {"conflict", 0},  {"undescribed", 0},    {"long_term_copies", 0},
        {"truncated_recording", 0}, {"other", 0}};
    for (const auto& a : alerts) {
        std::string code = a.substr(0, a.find(':'));
        if (code.starts_with("bay ")) code = code.ends_with(" fault") ? "bay_fault" : "bay_error";
        if (code.empty() || code.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) code = "other";
        ++n[code];
    }
    return n;
}

}  // namespace

std::string MetricsState::render(station::Station& station) {
    const auto s = station.summary();
    const auto bays = station.bays();
    const auto t = station.store().totals();
    std::lock_guard lock(mutex_);  // scrapes may overlap: samples_ and replies_ are shared
    double live_ingest = 0;        // bytes copied by docked bays but not yet committed
    for (const auto& b : bays)
        if (b.state == bay::BayState::offloading) live_ingest += static_cast<double>(b.bytes_done);

    const auto now = std::chrono::steady_clock::now();
    samples_.push_back(
        {now, static_cast<double>(t.bytes_ingested) + live_ingest, static_cast<double>(t.bytes_uploaded)});
    while (samples_.size() > 2 && now - samples_.front().at > throughput_window) samples_.pop_front();
    double ingest_rate = 0, upload_rate = 0;
    if (samples_.size() >= 2) {
        const double secs = std::chrono::duration<double>(now - samples_.front().at).count();
        if (secs > 0) {
            ingest_rate = std::max(0.0, (samples_.back().ingested_bytes - samples_.front().ingested_bytes) / secs);
            upload_rate = std::max(0.0, (samples_.back().uploaded_bytes - samples_.front().uploaded_bytes) / secs);
        }
    }

    Writer w;
    w.family("dockd_build_info", "gauge", "Version of this dockd.");
    w.sample("dockd_build_info", "version=\"" + label(s.version) + "\",station=\"" + label(s.id) + "\"", 1);
    w.family("dockd_uptime_seconds", "gauge", "Seconds since the daemon started.");
    w.sample("dockd_uptime_seconds", "", s.uptime_s);
    w.family("dockd_ingested_files_total", "counter", "Files staged from recorders (custody passed to the station).");
    w.sample("dockd_ingested_files_total", "", t.files_ingested);
    w.family("dockd_ingested_bytes_total", "counter", "Bytes of the files staged from recorders.");
    w.sample("dockd_ingested_bytes_total", "", t.bytes_ingested);
    w.family("dockd_uploaded_files_total", "counter", "File uploads confirmed by a target (one per file and target).");
    w.sample("dockd_uploaded_files_total", "", t.files_uploaded);
    w.family("dockd_uploaded_bytes_total", "counter", "Bytes of the file uploads confirmed by a target.");
    w.sample("dockd_uploaded_bytes_total", "", t.bytes_uploaded);
    w.family("dockd_ingest_throughput_bytes_per_second", "gauge", "Ingest rate over the last minute of scrapes.");
    w.sample("dockd_ingest_throughput_bytes_per_second", "", ingest_rate);
    w.family("dockd_upload_throughput_bytes_per_second", "gauge", "Upload rate over the last minute of scrapes.");
    w.sample("dockd_upload_throughput_bytes_per_second", "", upload_rate);

    w.family("dockd_bay_state", "gauge", "1 for the state each bay is in, 0 for the others.");
    for (const auto& b : bays)
        for (int st = 0; st <= static_cast<int>(bay::BayState::removed); ++st) {
            const auto state = static_cast<bay::BayState>(st);
            w.sample("dockd_bay_state",
                     "bay=\"" + std::to_string(b.id) + "\",state=\"" + std::string(bay::to_string(state)) + "\"",
                     b.state == state ? 1 : 0);
        }
    w.family("dockd_bay_battery_percent", "gauge", "Battery of the recorder in each bay.");
    for (const auto& b : bays)
        if (b.battery_percent)
            w.sample("dockd_bay_battery_percent", "bay=\"" + std::to_string(b.id) + "\"", *b.battery_percent);
    w.family("dockd_bay_progress_bytes", "gauge", "Bytes copied in the current docking of each bay.");
    for (const auto& b : bays)
        w.sample("dockd_bay_progress_bytes", "bay=\"" + std::to_string(b.id) + "\"", b.bytes_done);

    w.family("dockd_upload_queue_depth", "gauge", "Upload rows not yet confirmed, by state.");
    w.sample("dockd_upload_queue_depth", "state=\"pending\"", s.queue.pending);
    w.sample("dockd_upload_queue_depth", "state=\"failing\"", s.queue.failing);
    w.family("dockd_files_unarchived", "gauge", "Staged files not yet confirmed by every target.");
    w.sample("dockd_files_unarchived", "", s.queue.files_unarchived);
    w.family("dockd_upload_oldest_unarchived_age_seconds", "gauge", "Age of the oldest staged file not yet archived.");
    w.sample("dockd_upload_oldest_unarchived_age_seconds", "",
             s.queue.oldest_unarchived_age_ms ? *s.queue.oldest_unarchived_age_ms / 1000 : 0);
    // The uploader's own reason class when it gave one, else a guess from the error text.
    std::map<std::string, int> reasons{{"credentials", 0}, {"transient", 0}, {"no_bucket", 0}, {"conflict", 0},
                                       {"integrity", 0},   {"network", 0},   {"storage", 0},   {"other", 0}};
    for (const auto& [reason_class, error] : t.failing)
        ++reasons[reason_class.empty() ? to_string(Failure::unclassified) : reason_class];
    w.family("dockd_upload_failing", "gauge", "Upload rows whose last attempt failed, by reason.");
    for (const auto& [reason, n] : reasons) w.sample("dockd_upload_failing", "reason=\"" + label(reason) + "\"", n);

    w.family("dockd_disk_free_bytes", "gauge", "Free bytes on the staging file system.");
    w.sample("dockd_disk_free_bytes", "path=\"staging\"", s.staging_free_bytes.value_or(0));
    w.family("dockd_audit_chain_length", "gauge", "Events in the local audit chain.");
    w.sample("dockd_audit_chain_length", "", t.audit_length);
    w.family("dockd_alerts", "gauge", "Alerts the station raises now.");
    w.sample("dockd_alerts", "", s.alerts.size());
    w.family("dockd_alerts_by_code", "gauge", "Alerts the station raises now, by code.");
    for (const auto& [code, n] : alerts_by_code(s.alerts)) w.sample("dockd_alerts_by_code", "code=\"" + code + "\"", n);
    w.family("dockd_overdue_recorders", "gauge", "Recorders not docked within 24 h of their last undock.");
    w.sample("dockd_overdue_recorders", "", s.overdue.size());
    w.family("dockd_undescribed_files", "gauge",
             "Files without case number or category past retention.describe_deadline (seed R9).");
    w.sample("dockd_undescribed_files", "", s.undescribed_files);
    w.family("dockd_long_term_short_of_copies", "gauge",
             "Long-term files confirmed by fewer than retention.long_term_copies targets past the upload deadline.");
    w.sample("dockd_long_term_short_of_copies", "", s.long_term_short_of_copies);
    w.family("dockd_host_clock_synced", "gauge", "1 when the host clock is NTP-synchronised.");
    w.sample("dockd_host_clock_synced", "", s.host_clock_synced ? 1 : 0);
    w.family("dockd_api_replies_total", "counter", "HTTP replies of the API by status code.");
    for (const auto& [code, n] : replies_)
        w.sample("dockd_api_replies_total", "code=\"" + std::to_string(code) + "\"", n);
    return w.out.str();
}

}  // namespace dockd::api
