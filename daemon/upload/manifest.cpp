#include "daemon/upload/manifest.hpp"

#include <boost/json.hpp>
#include <map>

#include "daemon/common/time.hpp"
#include "daemon/media/facts_json.hpp"
#include "daemon/upload/object_metadata.hpp"

namespace dockd::upload {
namespace json = boost::json;

namespace {
json::value opt_json(const std::optional<std::string>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}
}  // namespace

Result<Manifest> build_manifest(custody::Store& store, const std::string& station_id,
                                const config::RetentionConfig& retention, const std::string& docking_id) {
    const auto d = store.docking(docking_id);
    if (!d) return Error{"docking " + docking_id + " not found"};
    const auto rec = store.recorder(d->serial).value_or(custody::RecorderIdentity{d->serial, "", "", std::nullopt});
    json::object custodian;
    if (d->officer_no) {
        const auto o = store.officer(*d->officer_no).value_or(custody::OfficerRecord{*d->officer_no, "", "", ""});
        custodian = {{"officer_no", o.no}, {"name", o.name}, {"unit_no", o.unit_no}, {"unit_name", o.unit_name}};
    }
    // The recorder's own officer record, when it disagrees with the assignment.
    if (d->device_officer_no && d->device_officer_no != d->officer_no)
        custodian["device_officer_no"] = *d->device_officer_no;
    // Annotations (seed R9) travel with the custody claim: the docking's own
    // at the top, each file's beside it; retention reasons with long_term (R8).
    json::array docking_notes;
    std::map<std::int64_t, json::array> file_notes;
    for (const auto& a : store.annotations_of_docking(docking_id)) {
        json::object n{{"case_no", a.case_no}, {"category", a.category},
                       {"place", a.place},     {"note", a.note},
                       {"by", a.by},           {"at", a.at}};
        if (a.file_id)
            file_notes[*a.file_id].push_back(std::move(n));
        else
            docking_notes.push_back(std::move(n));
    }
    json::array files, refused;
    for (const auto& f : store.files_of_docking(docking_id)) {
        if (!custody::counted(f.state)) {
            refused.push_back(json::object{{"device_path", f.device_path},
                                           {"size", f.size},
                                           {"state", custody::to_string(f.state)},
                                           {"reason", f.reason.value_or("")}});
            continue;
        }
        const auto until = retain_until_of(retention, f);
        files.push_back(json::object{{"device_path", f.device_path},
                                     {"size", f.size},
                                     {"sha256", f.sha256.value_or("")},
                                     {"recorded_at_device", opt_json(f.recorded_at_device)},
                                     {"recorded_at", opt_json(f.recorded_at)},
                                     {"ingested_at", f.ingested_at.value_or("")},
                                     {"object", f.object_key.value_or("")},
                                     {"retention", f.retention},
                                     {"retention_class", f.class_name()},
                                     {"retain_until", until ? json::value(until->at) : json::value(nullptr)},
                                     {"retain_basis", until ? json::value(until->basis) : json::value(nullptr)},
                                     {"retain_reason", opt_json(store.retain_reason(f.id))},
                                     {"annotations", file_notes[f.id]},
                                     {"important", f.important},
                                     {"media", media::facts_json(f.media)}});
    }
    // DESIGN §12: what was read, nothing else. recorded_at was corrected by
    // offset_ms only where measured and plausible are both true.
    const auto flag = [](const std::optional<bool>& b) { return b.value_or(false); };
    json::object clock{{"device_time", opt_json(d->device_time)},
                       {"station_time", opt_json(d->station_time)},
                       {"offset_ms", d->clock_offset_ms ? json::value(*d->clock_offset_ms) : json::value(nullptr)},
                       {"measured", flag(d->clock_measured)},
                       {"plausible", flag(d->clock_plausible)},
                       {"host_synced", flag(d->host_synced)},
                       {"set", opt_json(d->clock_set)}};
    const auto opt_int = [](const std::optional<std::int64_t>& v) {
        return v ? json::value(*v) : json::value(nullptr);
    };
    json::object health{{"battery_percent", opt_int(d->battery_in)},
                        {"storage_total_bytes", opt_int(d->storage_total)},
                        {"storage_free_bytes", opt_int(d->storage_free)}};
    const auto head = store.head();
    json::object m{
        {"schema", "dockd.manifest/1"},
        {"station", {{"id", station_id}}},
        {"docking",
         {{"id", d->id},
          {"bay", d->bay},
          {"docked_at", d->docked_at},
          {"undocked_at", d->undocked_at ? json::value(*d->undocked_at) : json::value(nullptr)},
          {"close_reason", d->close_reason ? json::value(*d->close_reason) : json::value(nullptr)}}},
        {"recorder",
         {{"serial", rec.serial}, {"vendor", rec.vendor}, {"model", rec.model}, {"firmware", opt_json(d->firmware)}}},
        {"custodian", custodian},
        {"clock", clock},
        {"health", health},
        {"annotations", docking_notes},
        {"files", files},
        {"not_ingested", refused},
        {"audit", {{"seq", head.seq}, {"hash", head.hash}}},
        {"written_at", rfc3339(std::chrono::system_clock::now())},
    };
    return Manifest{"manifests/" + station_id + "/" + docking_id + ".json", json::serialize(m) + "\n", head.seq};
}

}  // namespace dockd::upload
