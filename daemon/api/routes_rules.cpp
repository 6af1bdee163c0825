// Issue 14: the annual review (seed R12: GET /api/v1/stats) and the files
// past their description deadline (R9: GET /api/v1/undescribed).
#include <boost/json.hpp>

#include "daemon/api/json_views.hpp"
#include "daemon/api/query.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/common/time.hpp"
#include "daemon/station/rules.hpp"

namespace dockd::api {
namespace json = boost::json;

// ?from=&to= (dates or RFC 3339; to inclusive of its day) &by=officer|recorder|unit
// &format=csv (or Accept: text/csv). Statistics are counts, not footage.
HttpReply Routes::stats(Call& c) {
    if (auto bad = only_params(c.query, {"from", "to", "by", "format"})) return *bad;
    std::optional<std::string> from, to;
    if (auto bad = date_range(c.query, from, to)) return *bad;
    const std::string by = c.query.count("by") ? c.query["by"] : "officer";
    if (by != "officer" && by != "recorder" && by != "unit")
        return error_reply(400, "bad_parameter", "by must be officer, recorder or unit");
    const auto now = std::chrono::system_clock::now();
    auto& store = station_.store();
    const auto due = station::describe_due_table(store, station_.config().retention.describe, from, now);
    const auto rows = store.stats(by, from, to, due, rfc3339(now));
    if (wants_csv(c.query, c.req.header("accept"))) {
        HttpReply r{200, "text/csv; charset=utf-8", stats_csv(rows, by), {}, {}};
        r.headers["Content-Disposition"] = "attachment; filename=\"stats.csv\"";
        return r;
    }
    return json_reply(200, stats_json(rows));
}

HttpReply Routes::undescribed(Call& c) {
    if (auto bad = only_params(c.query, {})) return *bad;
    return json_reply(200, undescribed_json(station::overdue_descriptions(station_.store(), station_.config().retention,
                                                                          std::chrono::system_clock::now())));
}

}  // namespace dockd::api
