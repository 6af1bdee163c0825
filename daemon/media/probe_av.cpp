// Reads only what the answer needs: the container's header and index (for an
// MP4, the moov box wherever it sits) and the last few seconds of packets, to
// see whether the streams really reach the declared duration.
#include "daemon/media/probe_av.hpp"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <string>

namespace dockd::media {
namespace {

struct Input {
    int fd;
    std::int64_t size;  // -1: not a regular file
};

int read_packet(void* opaque, std::uint8_t* buf, int n) {
    const ssize_t got = ::read(static_cast<Input*>(opaque)->fd, buf, static_cast<std::size_t>(n));
    return got > 0 ? static_cast<int>(got) : got == 0 ? AVERROR_EOF : AVERROR(EIO);
}

std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
    auto* in = static_cast<Input*>(opaque);
    if (whence & AVSEEK_SIZE) return in->size;
    const off_t at = ::lseek(in->fd, offset, whence & ~AVSEEK_FORCE);
    return at < 0 ? AVERROR(errno) : at;
}

std::string av_text(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

bool is_mov(const AVInputFormat* f) {
    return std::string_view(f->name).starts_with("mov,");
}

// "mov,mp4,m4a,..." says little: the major brand tells MP4 from QuickTime.
std::string container_name(const AVFormatContext* ctx) {
    std::string name(ctx->iformat->name);
    if (is_mov(ctx->iformat)) {
        const AVDictionaryEntry* brand = av_dict_get(ctx->metadata, "major_brand", nullptr, 0);
        return brand && std::string_view(brand->value).starts_with("qt") ? "mov" : "mp4";
    }
    name = name.substr(0, name.find(','));
    if (name.ends_with("_pipe")) name.resize(name.size() - 5);  // jpeg_pipe, png_pipe
    return name;
}

// "2026-11-23T18:02:11.000000Z" -> "2026-11-23T18:02:11Z"; anything else: null.
std::optional<std::string> creation_time(const AVFormatContext* ctx) {
    const AVDictionaryEntry* e = av_dict_get(ctx->metadata, "creation_time", nullptr, 0);
    if (!e) return std::nullopt;
    const std::string v(e->value);
    const std::string shape = "dddd-dd-ddTdd:dd:dd";
    if (v.size() < shape.size()) return std::nullopt;
    for (std::size_t i = 0; i < shape.size(); ++i)
        if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(v[i])) : v[i] != shape[i]) return std::nullopt;
    return v.substr(0, shape.size()) + "Z";
}

void read_streams(const AVFormatContext* ctx, MediaFacts& f) {
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        const AVCodecParameters* p = ctx->streams[i]->codecpar;
        if (p->codec_type == AVMEDIA_TYPE_VIDEO && !f.video_codec) {
            f.video_codec = avcodec_get_name(p->codec_id);
            if (p->width > 0) f.width = p->width;
            if (p->height > 0) f.height = p->height;
        } else if (p->codec_type == AVMEDIA_TYPE_AUDIO && !f.audio_codec) {
            f.audio_codec = avcodec_get_name(p->codec_id);
        }
    }
}

// An index (MP4 sample tables, AVI idx1) naming bytes beyond the end of the
// file: the recorder stopped writing after it wrote the index.
std::optional<std::string> index_past_end(const AVFormatContext* ctx, std::int64_t size) {
    if (size < 0) return std::nullopt;
    std::int64_t needed = 0;
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        const int n = avformat_index_get_entries_count(ctx->streams[i]);
        for (int k = 0; k < n; ++k) {
            const AVIndexEntry* e = avformat_index_get_entry(ctx->streams[i], k);
            if (e) needed = std::max<std::int64_t>(needed, e->pos + e->size);
        }
    }
    if (needed <= size) return std::nullopt;
    return "index needs " + std::to_string(needed) + " bytes, file has " + std::to_string(size);
}

// RIFF (WAV, AVI) declares its length up front: less file than that is a
// recording that stopped before the header's promise (a WAV has no index).
std::optional<std::string> riff_short(int fd, std::int64_t size) {
    unsigned char h[12];
    if (size < 0 || ::pread(fd, h, sizeof h, 0) != static_cast<ssize_t>(sizeof h) || std::memcmp(h, "RIFF", 4) != 0)
        return std::nullopt;
    const std::int64_t declared =
        std::int64_t{h[4]} | std::int64_t{h[5]} << 8 | std::int64_t{h[6]} << 16 | std::int64_t{h[7]} << 24;
    if (declared + 8 <= size) return std::nullopt;
    return "RIFF header declares " + std::to_string(declared + 8) + " bytes, file has " + std::to_string(size);
}

// Reads the packets of the last seconds: streams that stop well before the
// declared duration (or fail to demux there) ended abnormally.
std::optional<std::string> ends_early(AVFormatContext* ctx, std::int64_t declared_ms) {
    constexpr std::int64_t tail_ms = 3000;
    const std::int64_t start = ctx->start_time == AV_NOPTS_VALUE ? 0 : ctx->start_time;
    const std::int64_t target = start + std::max<std::int64_t>(0, declared_ms - tail_ms) * 1000;
    if (av_seek_frame(ctx, -1, target, AVSEEK_FLAG_BACKWARD) < 0) avformat_seek_file(ctx, -1, 0, target, target, 0);
    std::int64_t reached_ms = -1;
    AVPacket* pkt = av_packet_alloc();
    int rc = 0;
    for (int packets = 0; packets < 200000 && (rc = av_read_frame(ctx, pkt)) >= 0; ++packets) {
        const AVStream* st = ctx->streams[pkt->stream_index];
        const std::int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        if (pts != AV_NOPTS_VALUE) {
            const std::int64_t end = pts + std::max<std::int64_t>(0, pkt->duration);
            const std::int64_t first = st->start_time == AV_NOPTS_VALUE ? 0 : st->start_time;
            reached_ms = std::max(reached_ms, av_rescale_q(end - first, st->time_base, AVRational{1, 1000}));
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    if (rc < 0 && rc != AVERROR_EOF) return "demuxing failed near the end: " + av_text(rc);
    const std::int64_t slack = std::max<std::int64_t>(1000, declared_ms / 50);
    if (reached_ms >= 0 && reached_ms + slack < declared_ms)
        return "streams end at " + std::to_string(reached_ms) + " ms of " + std::to_string(declared_ms) +
               " ms declared";
    return std::nullopt;
}

bool header_complete(const AVFormatContext* ctx) {
    if (ctx->nb_streams == 0) return false;
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        const AVCodecParameters* p = ctx->streams[i]->codecpar;
        const bool video = p->codec_type == AVMEDIA_TYPE_VIDEO, audio = p->codec_type == AVMEDIA_TYPE_AUDIO;
        if (p->codec_id == AV_CODEC_ID_NONE || (video && (p->width <= 0 || p->height <= 0)) ||
            (audio && p->sample_rate <= 0) || ctx->streams[i]->duration == AV_NOPTS_VALUE)
            return false;
    }
    return true;
}

// The container's duration, else its longest stream's (as the header says).
std::optional<std::int64_t> declared_ms(const AVFormatContext* ctx) {
    if (ctx->duration != AV_NOPTS_VALUE && ctx->duration > 0) return ctx->duration / 1000;
    std::int64_t longest = 0;
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        const AVStream* st = ctx->streams[i];
        if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
            longest = std::max(longest, av_rescale_q(st->duration, st->time_base, AVRational{1, 1000}));
    }
    return longest > 0 ? std::optional<std::int64_t>(longest) : std::nullopt;
}

struct CtxFree {
    void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct IoFree {
    void operator()(AVIOContext* io) const {
        av_freep(&io->buffer);
        avio_context_free(&io);
    }
};

MediaFacts judge(AVFormatContext* ctx, const Input& in) {
    const std::int64_t size = in.size;
    MediaFacts f;
    f.container = container_name(ctx);
    f.created_at = creation_time(ctx);
    // Decoding frames to learn parameters costs CPU beside the copy: only
    // when the header (an MP4's moov, a WAV's fmt) leaves something unknown.
    if (!header_complete(ctx)) {
        if (const int rc = avformat_find_stream_info(ctx, nullptr); rc < 0) {
            f.detail = "stream parameters unreadable: " + av_text(rc);
            return f;
        }
    }
    read_streams(ctx, f);
    f.duration_ms = declared_ms(ctx);
    auto why = index_past_end(ctx, size);
    if (!why) why = riff_short(in.fd, size);
    if (!why && f.duration_ms) why = ends_early(ctx, *f.duration_ms);
    f.integrity = why ? "truncated" : "ok";
    f.detail = why.value_or("");
    return f;
}

}  // namespace

MediaFacts probe_fd(int fd) {
    struct stat st {};
    Input in{fd, fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::int64_t>(st.st_size) : -1};
    MediaFacts f;
    if (in.size == 0) {
        f.integrity = "not_media";
        f.detail = "empty file";
        return f;
    }
    constexpr int buffer_bytes = 64 << 10;
    auto* buffer = static_cast<unsigned char*>(av_malloc(buffer_bytes));
    std::unique_ptr<AVIOContext, IoFree> io(
        avio_alloc_context(buffer, buffer_bytes, 0, &in, read_packet, nullptr, in.size < 0 ? nullptr : seek));
    const AVInputFormat* format = nullptr;
    // A score below AVPROBE_SCORE_RETRY is libavformat's own "not sure": random
    // bytes that happen to look like an MP3 frame are not media.
    const int score = av_probe_input_buffer2(io.get(), &format, "", nullptr, 0, 1 << 20);
    if (score < AVPROBE_SCORE_RETRY || !format) {
        f.integrity = "not_media";
        f.detail = score < 0 ? "no known container: " + av_text(score) : "no known container";
        return f;
    }
    AVFormatContext* raw = avformat_alloc_context();
    raw->pb = io.get();
    raw->flags |= AVFMT_FLAG_CUSTOM_IO;
    if (const int rc = avformat_open_input(&raw, "", format, nullptr); rc < 0) {
        // An MP4 whose moov box never got written (the recorder lost power
        // before closing the file) is the classic cut recording.
        f.container = is_mov(format) ? "mp4" : std::string(format->name).substr(0, std::string(format->name).find(','));
        f.integrity = is_mov(format) ? "truncated" : "unreadable";
        f.detail = (is_mov(format) ? "no complete moov index: " : "header unreadable: ") + av_text(rc);
        return f;
    }
    std::unique_ptr<AVFormatContext, CtxFree> ctx(raw);
    return judge(ctx.get(), in);
}

}  // namespace dockd::media
