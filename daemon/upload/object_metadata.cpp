#include "daemon/upload/object_metadata.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <set>

namespace dockd::upload {
namespace {

std::string encoded(const std::string& value) {
    std::string out = boost::urls::encode(value, boost::urls::unreserved_chars);
    if (out.size() <= max_value_bytes) return out;
    std::size_t cut = max_value_bytes;
    // Never split a %XX escape.
    if (out[cut - 1] == '%')
        cut -= 1;
    else if (cut >= 2 && out[cut - 2] == '%')
        cut -= 2;
    return out.substr(0, cut);
}

std::string joined(const std::set<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
    return out;
}

// Media facts (issue 14), only those known: at most about 150 bytes more.
void add_media(ObjectMetadata& m, const std::optional<media::MediaFacts>& media) {
    if (!media) return;
    m.emplace_back("media-integrity", media->integrity);
    if (media->container) m.emplace_back("media-container", encoded(*media->container));
    if (media->duration_ms) m.emplace_back("media-duration-ms", std::to_string(*media->duration_ms));
    if (media->video_codec) {
        std::string video = *media->video_codec;
        if (media->width && media->height)
            video += " " + std::to_string(*media->width) + "x" + std::to_string(*media->height);
        m.emplace_back("media-video", encoded(video));
    }
    if (media->audio_codec) m.emplace_back("media-audio", encoded(*media->audio_codec));
    if (media->created_at) m.emplace_back("media-created-at", encoded(*media->created_at));
}

}  // namespace

ObjectMetadata object_metadata(custody::Store& store, const std::string& station_id,
                               const config::RetentionConfig& retention, std::int64_t file_id) {
    ObjectMetadata m;
    const auto f = store.file(file_id);
    if (!f) return m;
    m.emplace_back("station", encoded(station_id));
    m.emplace_back("docking", encoded(f->docking_id));
    m.emplace_back("recorder", encoded(f->serial));
    const auto path = encoded(f->device_path);
    m.emplace_back("device-path", path);
    // A long path is cut to fit the store's metadata limits; the signed
    // manifest holds it whole.
    if (path.size() < boost::urls::encoded_size(f->device_path, boost::urls::unreserved_chars))
        m.emplace_back("device-path-cut", "true");
    if (f->recorded_at) m.emplace_back("recorded-at", encoded(*f->recorded_at));
    m.emplace_back("retention", f->retention);
    if (f->retain_class) m.emplace_back("retention-class", *f->retain_class);
    if (auto until = retain_until_of(retention, *f)) {
        m.emplace_back("retain-until", encoded(until->at));
        m.emplace_back("retain-basis", until->basis);
    }
    m.emplace_back("important", f->important ? "true" : "false");
    if (auto reason = store.retain_reason(file_id)) m.emplace_back("retain-reason", encoded(*reason));
    if (auto d = store.docking(f->docking_id); d && d->officer_no) m.emplace_back("officer", encoded(*d->officer_no));
    std::set<std::string> cases, categories;
    auto add = [&](const custody::Annotation& a) {
        if (!a.case_no.empty()) cases.insert(a.case_no);
        if (!a.category.empty()) categories.insert(a.category);
    };
    for (const auto& a : store.annotations_of_file(file_id)) add(a);
    for (const auto& a : store.annotations_of_docking(f->docking_id))
        if (!a.file_id) add(a);
    add_media(m, f->media);
    if (!cases.empty()) m.emplace_back("case-no", encoded(joined(cases)));
    if (!categories.empty()) m.emplace_back("category", encoded(joined(categories)));
    return m;
}

}  // namespace dockd::upload
