// Ledger (台账, seed R1/R12), access register (查阅登记簿, R6), exports and the
// audit chain check. Every export is itself registered.
#include <boost/json.hpp>

#include "daemon/api/json_views.hpp"
#include "daemon/api/query.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/common/hex.hpp"
#include "daemon/upload/manifest.hpp"

namespace dockd::api {
namespace json = boost::json;

namespace {
bool wants_csv(const Call& c) {
    return api::wants_csv(c.query, c.req.header("accept"));
}
}  // namespace

HttpReply Routes::ledger(Call& c) {
    if (auto bad = only_params(c.query, {"from", "to", "format"})) return *bad;
    std::optional<std::string> from, to;
    if (auto bad = date_range(c.query, from, to)) return *bad;
    const auto rows = station_.store().ledger(from, to);
    const bool csv = wants_csv(c);
    register_access(c, std::string("ledger export (") + (csv ? "csv" : "json") + ") from=" + from.value_or("*") +
                           " to=" + to.value_or("*") + " (" + std::to_string(rows.size()) + " dockings)");
    if (csv) {
        HttpReply r{200, "text/csv; charset=utf-8", ledger_csv(rows), {}, {}};
        r.headers["Content-Disposition"] = "attachment; filename=\"ledger.csv\"";
        return r;
    }
    return json_reply(200, ledger_json(rows));
}

HttpReply Routes::access_log(Call& c) {
    if (auto bad = only_params(c.query, {"limit", "format"})) return *bad;
    auto limit = limit_param(c.query);
    if (auto* r = std::get_if<HttpReply>(&limit)) return *r;
    // Listing who looked at what is itself a look-up worth registering.
    register_access(c, "access register");
    const auto rows = station_.store().access_log(std::get<int>(limit));
    if (wants_csv(c)) return {200, "text/csv; charset=utf-8", access_csv(rows), {}, {}};
    return json_reply(200, access_json(rows));
}

// The docking's custody record as the archive will receive it (DESIGN §7),
// signed now with the station key; annotations and retention included.
HttpReply Routes::export_docking(Call& c) {
    const std::string& id = c.params["id"];
    if (!station_.store().docking(id)) return error_reply(404, "no_such_docking", "no docking " + id);
    auto m = upload::build_manifest(station_.store(), station_.config().station.id, station_.config().retention, id);
    if (!m) return error_reply(500, "internal", m.error().message);
    const auto sig = station_.keys().sign_at(m->audit_seq, m->json);
    if (!sig) return error_reply(500, "internal", sig.error().message);
    register_access(c, "export docking " + id);
    return json_reply(
        200,
        json::object{{"manifest", json::parse(m->json)}, {"manifest_text", m->json}, {"signature_hex", to_hex(*sig)}});
}

HttpReply Routes::verify(Call&) {
    const auto v = station_.store().verify();
    return json_reply(v.ok ? 200 : 409, json::object{{"ok", v.ok},
                                                     {"length", v.length},
                                                     {"head", {{"seq", v.head.seq}, {"hash", v.head.hash}}},
                                                     {"first_bad_seq", opt(v.first_bad_seq)},
                                                     {"problem", v.problem}});
}

}  // namespace dockd::api
