// Station, bays, power, live events, metrics and the status page.
#include <boost/json.hpp>

#include "daemon/api/json_views.hpp"
#include "daemon/api/query.hpp"
#include "daemon/api/reply.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/web/assets.hpp"

namespace dockd::api {
namespace json = boost::json;

HttpReply Routes::station_summary(Call&) {
    return json_reply(200, station_json(station_.summary()));
}

HttpReply Routes::bays(Call&) {
    return json_reply(200, bays_json(station_.bays()));
}

HttpReply Routes::bay(Call& c) {
    const auto id = to_int64(c.params["id"]);
    for (const auto& b : station_.bays())
        if (id && b.id == *id) return json_reply(200, bay_json(b));
    return error_reply(404, "no_such_bay", "no bay " + c.params["id"]);
}

HttpReply Routes::power(Call& c) {
    const auto id = to_int64(c.params["id"]);
    const auto bays = station_.bays();
    if (!id || std::none_of(bays.begin(), bays.end(), [&](const auto& b) { return b.id == *id; }))
        return error_reply(404, "no_such_bay", "no bay " + c.params["id"]);
    boost::system::error_code ec;
    auto body = json::parse(c.req.body, ec);
    if (ec || !body.is_object()) return error_reply(400, "bad_json", "body must be a JSON object");
    const auto* action = body.as_object().if_contains("action");
    if (!action || !action->is_string() || (*action != "on" && *action != "off" && *action != "cycle"))
        return error_reply(400, "bad_action", R"(body must be {"action": "on"|"off"|"cycle"})");
    const std::string a(action->as_string());
    if (auto r = station_.power(static_cast<int>(*id), a); !r)
        return error_reply(409, "power_unavailable", r.error().message);
    return json_reply(200, json::object{{"bay", *id}, {"action", a}, {"ok", true}});
}

// One "status" event with {station, bays} whenever either changes; the
// station part (SQLite queries) is refreshed every other tick.
HttpReply Routes::events(Call&) {
    struct State {
        int tick = 0;
        json::value station;
        std::string last;
    };
    auto state = std::make_shared<State>();
    HttpReply reply{200, "text/event-stream", "", {}, {}};
    reply.stream.interval = std::chrono::milliseconds(500);
    reply.stream.next = [this, state]() -> std::string {
        const int tick = state->tick++;
        if (tick % 2 == 0) state->station = station_json(station_.summary());
        const std::string data =
            json_text(json::object{{"station", state->station}, {"bays", bays_json(station_.bays())}});
        std::string out = tick == 0 ? "retry: 2000\n\n" : "";
        if (data != state->last) {
            state->last = data;
            out += "event: status\ndata: " + data + "\n\n";
        } else if (tick % 30 == 0) {
            out += ": keep-alive\n\n";
        }
        return out;
    };
    return reply;
}

HttpReply Routes::metrics(Call&) {
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render(station_), {}, {}};
}

HttpReply Routes::page(Call& c) {
    const auto* asset = web::find_asset(c.params["path"]);
    if (!asset) return error_reply(404, "not_found", "no asset " + c.params["path"]);
    HttpReply reply{200, std::string(asset->content_type), std::string(asset->body), {}, {}};
    reply.headers["Content-Security-Policy"] =
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";
    reply.headers["X-Content-Type-Options"] = "nosniff";
    return reply;
}

}  // namespace dockd::api
