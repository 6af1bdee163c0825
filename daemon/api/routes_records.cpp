// Dockings, files, retention, annotations, assignments and the upload queue.
// Reading footage metadata per file is written to the access register (R6).
#include <boost/json.hpp>

#include "daemon/api/json_views.hpp"
#include "daemon/api/query.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/upload/object_metadata.hpp"

namespace dockd::api {
namespace json = boost::json;

namespace {

constexpr std::size_t max_reason_bytes = 500, max_case_bytes = 64, max_category_bytes = 64, max_note_bytes = 2000,
                      max_place_bytes = 200;

json::array annotations_json(const std::vector<custody::Annotation>& list) {
    json::array out;
    for (const auto& a : list) out.push_back(annotation_json(a));
    return out;
}

}  // namespace

HttpReply Routes::dockings(Call& c) {
    if (auto bad = only_params(c.query, {"since", "limit"})) return *bad;
    auto limit = limit_param(c.query);
    if (auto* r = std::get_if<HttpReply>(&limit)) return *r;
    std::optional<std::string> since;
    if (c.query.count("since")) {
        auto bound = date_param(c.query["since"], false);
        if (!bound) return error_reply(400, "bad_date", "since must be YYYY-MM-DD or RFC 3339 (years 0001..9999)");
        since = bound->at;
    }
    json::array out;
    for (const auto& d : station_.store().dockings_since(since, std::get<int>(limit))) out.push_back(docking_json(d));
    return json_reply(200, out);
}

HttpReply Routes::docking(Call& c) {
    const std::string& id = c.params["id"];
    auto d = station_.store().docking(id);
    if (!d) return error_reply(404, "no_such_docking", "no docking " + id);
    custody::DockingListRow row{*d, {}, 0, 0};
    if (d->officer_no)
        if (auto o = station_.store().officer(*d->officer_no)) row.officer_name = o->name;
    json::array files;
    for (const auto& f : station_.store().files_of_docking(id)) {
        if (custody::counted(f.state)) ++row.files, row.bytes += static_cast<std::int64_t>(f.size);
        files.push_back(file_json(f));
    }
    auto out = docking_json(row).as_object();
    out["file_list"] = std::move(files);
    out["annotations"] = annotations_json(station_.store().annotations_of_docking(id));
    register_access(c, "docking " + id + " (" + std::to_string(out["file_list"].as_array().size()) + " files)");
    return json_reply(200, out);
}

HttpReply Routes::files(Call& c) {
    if (auto bad = only_params(c.query, {"state", "docking", "limit"})) return *bad;
    auto limit = limit_param(c.query);
    if (auto* r = std::get_if<HttpReply>(&limit)) return *r;
    std::optional<std::string> state, docking;
    if (c.query.count("state")) {
        state = c.query["state"];
        if (*state != "staged" && *state != "archived" && *state != "refused" && *state != "lost")
            return error_reply(400, "bad_parameter", "state must be staged, archived, refused or lost");
    }
    if (c.query.count("docking")) docking = c.query["docking"];
    json::array out;
    for (const auto& f : station_.store().files_by_state(state, docking, std::get<int>(limit)))
        out.push_back(file_json(f));
    register_access(c, "files state=" + state.value_or("*") + " docking=" + docking.value_or("*") + " (" +
                           std::to_string(out.size()) + " files)");
    return json_reply(200, out);
}

HttpReply Routes::file(Call& c) {
    const auto id = to_int64(c.params["id"]);
    auto f = id ? station_.store().file(*id) : std::nullopt;
    if (!f) return error_reply(404, "no_such_file", "no file " + c.params["id"]);
    auto out = file_json(*f).as_object();
    out["retain_reason"] = opt(station_.store().retain_reason(f->id));
    const auto until = upload::retain_until_of(station_.config().retention, *f);
    out["retain_until"] = until ? json::value(until->at) : json::value(nullptr);
    out["retain_basis"] = until ? json::value(until->basis) : json::value(nullptr);
    out["annotations"] = annotations_json(station_.store().annotations_of_file(f->id));
    register_access(c, "file " + std::to_string(f->id) + " " + f->serial + ":" + f->device_path);
    return json_reply(200, out);
}

namespace {

// {"reason": "...", "class": "evidence"?}: a class must be one of
// retention.classes other than standard (seed R7); none keeps long_term's.
struct RetainRequest {
    std::string reason;
    std::optional<std::string> retain_class;
};
std::variant<RetainRequest, HttpReply> read_retain(const std::string& body_text, const config::RetentionConfig& r) {
    auto body = json_body(body_text);
    if (auto* reply = std::get_if<HttpReply>(&body)) return *reply;
    const auto& o = std::get<json::object>(body);
    std::optional<HttpReply> error;
    RetainRequest out{string_member(o, "reason", max_reason_bytes, error), std::nullopt};
    const auto klass = string_member(o, "class", 32, error);
    if (error) return *error;
    if (!klass.empty()) {
        if (klass == "standard" || !r.duration_of(klass))
            return error_reply(400, "bad_class",
                               "class '" + klass + "' is not a class of retention.classes above standard");
        if (klass != "long_term") out.retain_class = klass;
    }
    return out;
}

json::object retain_reply(const RetainRequest& r, int changed) {
    return {{"retention", "long_term"},
            {"class", r.retain_class ? json::value(*r.retain_class) : json::value("long_term")},
            {"reason", r.reason},
            {"changed", changed}};
}

}  // namespace

HttpReply Routes::retain_file(Call& c) {
    auto req = read_retain(c.req.body, station_.config().retention);
    if (auto* r = std::get_if<HttpReply>(&req)) return *r;
    const auto& rr = std::get<RetainRequest>(req);
    const auto id = to_int64(c.params["id"]);
    auto changed = id ? station_.store().retain_file(*id, rr.reason, c.caller.name, rr.retain_class) : std::nullopt;
    if (!changed) return error_reply(404, "no_such_file", "no file " + c.params["id"]);
    auto out = retain_reply(rr, *changed);
    out["file"] = *id;
    return json_reply(200, out);
}

HttpReply Routes::retain_docking(Call& c) {
    auto req = read_retain(c.req.body, station_.config().retention);
    if (auto* r = std::get_if<HttpReply>(&req)) return *r;
    const auto& rr = std::get<RetainRequest>(req);
    auto changed = station_.store().retain_docking(c.params["id"], rr.reason, c.caller.name, rr.retain_class);
    if (!changed) return error_reply(404, "no_such_docking", "no docking " + c.params["id"]);
    auto out = retain_reply(rr, *changed);
    out["docking"] = c.params["id"];
    return json_reply(200, out);
}

namespace {

std::variant<custody::Annotation, HttpReply> read_annotation(const std::string& body_text, const std::string& by) {
    auto body = json_body(body_text);
    if (auto* r = std::get_if<HttpReply>(&body)) return *r;
    const auto& o = std::get<json::object>(body);
    for (const auto& [k, v] : o)
        if (k != "case_no" && k != "category" && k != "note" && k != "place")
            return error_reply(400, "bad_field",
                               "unknown field " + std::string(k) + " (case_no, category, note, place)");
    std::optional<HttpReply> error;
    custody::Annotation a;
    a.case_no = string_member(o, "case_no", max_case_bytes, error);
    a.category = string_member(o, "category", max_category_bytes, error);
    a.note = string_member(o, "note", max_note_bytes, error);
    a.place = string_member(o, "place", max_place_bytes, error);
    if (error) return *error;
    if (a.case_no.empty() && a.category.empty() && a.note.empty() && a.place.empty())
        return error_reply(400, "empty_annotation", "give at least one of case_no, category, note, place");
    a.by = by;
    return a;
}

}  // namespace

HttpReply Routes::annotate_file(Call& c) {
    auto a = read_annotation(c.req.body, c.caller.name);
    if (auto* r = std::get_if<HttpReply>(&a)) return *r;
    auto& ann = std::get<custody::Annotation>(a);
    ann.file_id = to_int64(c.params["id"]);
    auto id = ann.file_id ? station_.store().annotate(ann) : std::nullopt;
    if (!id) return error_reply(404, "no_such_file", "no file " + c.params["id"]);
    return json_reply(201, json::object{{"id", *id}, {"file_id", *ann.file_id}});
}

HttpReply Routes::annotate_docking(Call& c) {
    auto a = read_annotation(c.req.body, c.caller.name);
    if (auto* r = std::get_if<HttpReply>(&a)) return *r;
    auto& ann = std::get<custody::Annotation>(a);
    ann.docking_id = c.params["id"];
    auto id = station_.store().annotate(ann);
    if (!id) return error_reply(404, "no_such_docking", "no docking " + c.params["id"]);
    return json_reply(201, json::object{{"id", *id}, {"docking_id", *ann.docking_id}});
}

// {"serial": "ZFY0001", "officer": {"no": "004213", "name": "…", "unit_no": "…", "unit_name": "…"}}
// or {"serial": "ZFY0001", "officer_no": "004213"} for an officer the station knows.
HttpReply Routes::assign(Call& c) {
    auto body = json_body(c.req.body);
    if (auto* r = std::get_if<HttpReply>(&body)) return *r;
    const auto& o = std::get<json::object>(body);
    std::optional<HttpReply> error;
    const auto serial = string_member(o, "serial", 64, error);
    custody::OfficerRecord officer;
    if (const auto* off = o.if_contains("officer"); off && off->is_object()) {
        const auto& oo = off->as_object();
        officer = {string_member(oo, "no", 32, error), string_member(oo, "name", 128, error),
                   string_member(oo, "unit_no", 64, error), string_member(oo, "unit_name", 128, error)};
    } else {
        officer.no = string_member(o, "officer_no", 32, error);
        if (!officer.no.empty())
            if (auto known = station_.store().officer(officer.no)) officer = *known;
    }
    if (error) return *error;
    if (serial.empty() || officer.no.empty())
        return error_reply(400, "bad_field", "serial and officer.no (or officer_no) are required");
    station_.store().assign(serial, officer, "manual", c.caller.name);
    return json_reply(201, json::object{{"serial", serial},
                                        {"officer",
                                         {{"no", officer.no},
                                          {"name", officer.name},
                                          {"unit_no", officer.unit_no},
                                          {"unit_name", officer.unit_name}}}});
}

HttpReply Routes::uploads(Call& c) {
    if (auto bad = only_params(c.query, {"limit"})) return *bad;
    auto limit = limit_param(c.query);
    if (auto* r = std::get_if<HttpReply>(&limit)) return *r;
    json::array out;
    for (const auto& u : station_.store().upload_rows(std::get<int>(limit))) out.push_back(upload_json(u));
    return json_reply(200, out);
}

}  // namespace dockd::api
