#include "daemon/media/facts_json.hpp"

#include <boost/json/object.hpp>

namespace dockd::media {
namespace {

template <class T>
boost::json::value or_null(const std::optional<T>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace

boost::json::value facts_json(const std::optional<MediaFacts>& facts) {
    if (!facts) return nullptr;
    const auto& f = *facts;
    boost::json::value video = nullptr, audio = nullptr;
    if (f.video_codec)
        video =
            boost::json::object{{"codec", *f.video_codec}, {"width", or_null(f.width)}, {"height", or_null(f.height)}};
    if (f.audio_codec) audio = boost::json::object{{"codec", *f.audio_codec}};
    return boost::json::object{
        {"container", or_null(f.container)},
        {"duration_ms", or_null(f.duration_ms)},
        {"video", video},
        {"audio", audio},
        {"created_at", or_null(f.created_at)},
        {"integrity", f.integrity},
        {"detail", f.detail.empty() ? boost::json::value(nullptr) : boost::json::value(f.detail)}};
}

}  // namespace dockd::media
