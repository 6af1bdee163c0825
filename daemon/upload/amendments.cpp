#include "daemon/upload/amendments.hpp"

#include <boost/json.hpp>

#include "daemon/upload/object_metadata.hpp"

namespace dockd::upload {
namespace json = boost::json;
namespace {

json::object change_of(const custody::FileRecord& f) {
    return {{"object", f.object_key.value_or("")}, {"sha256", f.sha256.value_or("")}};
}

std::string text_of(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

json::object annotation_of(const json::object& payload) {
    return {{"case_no", text_of(payload, "case_no")},
            {"category", text_of(payload, "category")},
            {"place", text_of(payload, "place")},
            {"note", text_of(payload, "note")},
            {"by", text_of(payload, "by")}};
}

// The files the audit row speaks of: one file, or every archived file of the docking.
std::vector<custody::FileRecord> files_named(custody::Store& store, const json::object& payload,
                                             const std::string& docking_id) {
    std::vector<custody::FileRecord> out;
    if (const auto* id = payload.if_contains("file"); id && id->is_int64()) {
        if (auto f = store.file(id->as_int64())) out.push_back(std::move(*f));
        return out;
    }
    for (auto& f : store.files_of_docking(docking_id))
        if (f.object_key && custody::counted(f.state)) out.push_back(std::move(f));
    return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> retention_changes(const std::string& amendment) {
    std::vector<std::pair<std::string, std::string>> out;
    boost::system::error_code ec;
    const auto doc = json::parse(amendment, ec);
    const auto* changes = !ec && doc.is_object() ? doc.as_object().if_contains("changes") : nullptr;
    if (!changes || !changes->is_array()) return out;
    for (const auto& c : changes->as_array()) {
        if (!c.is_object()) continue;
        const auto* until = c.as_object().if_contains("retain_until");
        const std::string key = text_of(c.as_object(), "object");
        if (until && until->is_string() && !key.empty()) out.emplace_back(key, std::string(until->as_string()));
    }
    return out;
}

Result<std::string> build_amendment(custody::Store& store, const std::string& station_id,
                                    const config::RetentionConfig& retention,
                                    const custody::PendingAmendment& amendment) {
    const auto row = store.audit_row(amendment.seq);
    if (!row) return Error{"audit row " + std::to_string(amendment.seq) + " not found"};
    boost::system::error_code ec;
    auto parsed = json::parse(row->payload, ec);
    if (ec || !parsed.is_object()) return Error{"audit row " + std::to_string(row->seq) + ": payload is not an object"};
    const auto& payload = parsed.as_object();
    json::object doc{{"schema", "dockd.amendment/1"},
                     {"station", station_id},
                     {"docking", amendment.docking_id},
                     {"audit", {{"seq", row->seq}, {"hash", row->hash}}},
                     {"kind", row->kind},
                     {"at", row->at}};
    json::array changes;
    const bool docking_note = row->kind == "annotated" && !payload.contains("file");
    if (docking_note) {
        doc["annotation"] = annotation_of(payload);
    } else {
        for (const auto& f : files_named(store, payload, amendment.docking_id)) {
            json::object c = change_of(f);
            if (row->kind == "retain") {
                c["retention"] = "long_term";
                c["retention_class"] = f.class_name();
                c["reason"] = text_of(payload, "reason");
                const auto until = retain_until_of(retention, f);
                c["retain_until"] = until ? json::value(until->at) : json::value(nullptr);
                c["retain_basis"] = until ? json::value(until->basis) : json::value(nullptr);
            } else {
                c["annotation"] = annotation_of(payload);
            }
            changes.push_back(std::move(c));
        }
    }
    doc["changes"] = std::move(changes);
    return json::serialize(doc) + "\n";
}

}  // namespace dockd::upload
