#include "daemon/dockctl/commands.hpp"

#include <boost/json.hpp>
#include <boost/url/url.hpp>
#include <cstdio>
#include <iostream>

namespace dockd::dockctl {
namespace json = boost::json;

namespace {

// Fetches a JSON document or prints why not; nullopt means exit 1.
std::optional<json::value> fetch(const Client& client, const std::string& path, bool accept_conflict = false) {
    auto r = client.get(path);
    if (!r) {
        std::cerr << "dockctl: " << r.error().message << "\n";
        return std::nullopt;
    }
    boost::system::error_code ec;
    auto v = json::parse(r->body, ec);
    if (r->status == 401 || r->status == 403) {
        std::cerr << "dockctl: the daemon refused the token (HTTP " << r->status << "); see --token-file\n";
        return std::nullopt;
    }
    if (ec || (r->status != 200 && !(accept_conflict && r->status == 409))) {
        std::string msg = ec ? r->body : std::string(v.is_object() && v.as_object().contains("message")
                                                         ? json::value_to<std::string>(v.at("message"))
                                                         : r->body);
        std::cerr << "dockctl: " << path << ": HTTP " << r->status << ": " << msg << "\n";
        return std::nullopt;
    }
    return v;
}

std::string str(const json::value& v) {
    if (v.is_null()) return "-";
    if (v.is_string()) return std::string(v.as_string());
    return json::serialize(v);
}

std::string progress(const json::value& p) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s/%s files %.1f/%.1f MiB", str(p.at("files_done")).c_str(),
                  str(p.at("files_total")).c_str(), p.at("bytes_done").to_number<double>() / 1048576.0,
                  p.at("bytes_total").to_number<double>() / 1048576.0);
    return buf;
}

int status(const Client& c, const Options& o) {
    auto st = fetch(c, "/api/v1/station");
    auto bays = st ? fetch(c, "/api/v1/bays") : std::nullopt;
    if (!st || !bays) return 1;
    if (o.json) {
        std::cout << json::serialize(json::object{{"station", *st}, {"bays", *bays}}) << "\n";
        return 0;
    }
    const auto& s = st->as_object();
    const auto& q = s.at("queue").as_object();
    std::cout << "station " << str(s.at("id")) << " (dockd " << str(s.at("version")) << "), up " << str(s.at("uptime_s"))
              << " s; queue: " << str(q.at("pending")) << " pending, " << str(q.at("failing")) << " failing; "
              << "oldest unarchived " << str(s.at("oldest_unarchived_age_s")) << " s\n";
    for (const auto& a : s.at("alerts").as_array()) std::cout << "ALERT " << str(a) << "\n";
    for (const auto& b : bays->as_array()) {
        const auto& bo = b.as_object();
        std::cout << "bay " << str(bo.at("id")) << "  " << str(bo.at("state"));
        if (!bo.at("recorder").is_null()) std::cout << "  " << str(bo.at("recorder").at("serial"));
        if (bo.at("safe_to_leave").as_bool()) std::cout << "  safe to leave";
        std::cout << "\n";
    }
    return 0;
}

int ports(const Client& c, const Options& o) {
    auto bays = fetch(c, "/api/v1/bays");
    if (!bays) return 1;
    if (o.json) {
        std::cout << json::serialize(*bays) << "\n";
        return 0;
    }
    std::printf("%-4s %-11s %-12s %-10s %-8s %-32s %-10s %s\n", "BAY", "STATE", "RECORDER", "OFFICER", "BATTERY",
                "PROGRESS", "CLOCK_MS", "ERROR");
    for (const auto& b : bays->as_array()) {
        const auto& bo = b.as_object();
        const std::string rec = bo.at("recorder").is_null() ? "-" : str(bo.at("recorder").at("serial"));
        const std::string off = bo.at("officer").is_null() ? "-" : str(bo.at("officer").at("no"));
        std::printf("%-4s %-11s %-12s %-10s %-8s %-32s %-10s %s\n", str(bo.at("id")).c_str(),
                    str(bo.at("state")).c_str(), rec.c_str(), off.c_str(), str(bo.at("battery_percent")).c_str(),
                    progress(bo.at("progress")).c_str(), str(bo.at("clock_offset_ms")).c_str(),
                    str(bo.at("error")).c_str());
    }
    return 0;
}

int ledger(const Client& c, const Options& o) {
    boost::urls::url target("/api/v1/ledger");
    if (o.from) target.params().append({"from", *o.from});
    if (o.to) target.params().append({"to", *o.to});
    const std::string path(target.buffer());
    if (o.csv) {
        auto r = c.get(path, "text/csv");
        if (!r) {
            std::cerr << "dockctl: " << r.error().message << "\n";
            return 1;
        }
        if (r->status != 200) {
            std::cerr << "dockctl: ledger: HTTP " << r->status << ": " << r->body;
            return 1;
        }
        std::cout << r->body;
        return 0;
    }
    auto rows = fetch(c, path);
    if (!rows) return 1;
    if (o.json) {
        std::cout << json::serialize(*rows) << "\n";
        return 0;
    }
    std::printf("%-32s %-4s %-10s %-10s %-24s %-24s %6s %12s\n", "DOCKING", "BAY", "SERIAL", "OFFICER", "DOCKED",
                "UNDOCKED", "FILES", "BYTES");
    for (const auto& r : rows->as_array())
        std::printf("%-32s %-4s %-10s %-10s %-24s %-24s %6s %12s\n", str(r.at("docking_id")).c_str(),
                    str(r.at("bay")).c_str(), str(r.at("serial")).c_str(), str(r.at("officer_no")).c_str(),
                    str(r.at("docked_at")).c_str(), str(r.at("undocked_at")).c_str(), str(r.at("files")).c_str(),
                    str(r.at("bytes")).c_str());
    return 0;
}

int verify(const Client& c, const Options& o) {
    auto v = fetch(c, "/api/v1/audit/verify", true);
    if (!v) return 1;
    const bool ok = v->at("ok").as_bool();
    if (o.json) std::cout << json::serialize(*v) << "\n";
    else if (ok)
        std::cout << "audit chain ok: " << str(v->at("length")) << " events, head " << str(v->at("head").at("seq")) << " "
                  << str(v->at("head").at("hash")) << "\n";
    else std::cout << "audit chain BROKEN: " << str(v->at("problem")) << "\n";
    return ok ? 0 : 1;
}

int pubkey(const Client& c, const Options& o) {
    auto st = fetch(c, "/api/v1/station");
    if (!st) return 1;
    if (o.json) std::cout << json::serialize(json::object{{"public_key", st->at("public_key")}}) << "\n";
    else std::cout << str(st->at("public_key"));
    return 0;
}

}  // namespace

int run_command(const Client& client, const std::vector<std::string>& words, const Options& o) {
    const std::string& cmd = words.front();
    if (words.size() != 1) {
        std::cerr << "dockctl: " << cmd << ": unexpected argument '" << words[1] << "'\n";
        return 2;
    }
    if (cmd == "status") return status(client, o);
    if (cmd == "ports") return ports(client, o);
    if (cmd == "ledger") return ledger(client, o);
    if (cmd == "verify") return verify(client, o);
    if (cmd == "pubkey") return pubkey(client, o);
    std::cerr << "dockctl: unknown command '" << cmd << "'\n";
    return 2;
}

}  // namespace dockd::dockctl
