// The station's signing keys (DESIGN §11): the list an archive operator
// enrols from, and rotation (manager). Private keys never leave data_dir.
#include <boost/json.hpp>

#include "daemon/api/reply.hpp"
#include "daemon/api/routes.hpp"

namespace dockd::api {
namespace json = boost::json;

namespace {
json::object key_json(const crypto::KeyInfo& k, int current) {
    return {{"key_no", k.key_no},
            {"first_seq", k.first_seq},
            {"public_key", k.public_pem},
            {"current", k.key_no == current}};
}
}  // namespace

HttpReply Routes::keys(Call&) {
    const auto& ring = station_.keys();
    const int current = ring.current().key_no;
    json::array keys;
    for (const auto& k : ring.keys()) keys.push_back(key_json(k, current));
    return json_reply(200,
                      json::object{{"station", station_.config().station.id}, {"current", current}, {"keys", keys}});
}

HttpReply Routes::rotate_key(Call& c) {
    if (!c.req.body.empty()) {
        boost::system::error_code ec;
        auto body = json::parse(c.req.body, ec);
        if (ec || !body.is_object() || !body.as_object().empty())
            return error_reply(400, "bad_json", "rotate takes no parameters (empty body or {})");
    }
    auto r = station_.rotate_key();
    if (!r) return error_reply(500, "internal", r.error().message);
    json::object reply = key_json(r->first, r->first.key_no);
    reply["audit"] = json::object{{"seq", r->second.seq}, {"hash", r->second.hash}};
    return json_reply(201, reply);
}

}  // namespace dockd::api
