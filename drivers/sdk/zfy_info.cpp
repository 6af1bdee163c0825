#include "drivers/sdk/zfy_info.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <vector>

namespace dockd::drivers::sdk {
namespace {

struct Field {
    const char* name;
    std::string ZfyInfo::*member;
};
constexpr std::array<Field, 5> kFields{{{"cSerial", &ZfyInfo::serial},
                                        {"userNo", &ZfyInfo::officer_no},
                                        {"userName", &ZfyInfo::officer_name},
                                        {"unitNo", &ZfyInfo::unit_no},
                                        {"unitName", &ZfyInfo::unit_name}}};
constexpr std::array<std::size_t, 5> kPacked{7, 6, 32, 12, 32};
constexpr std::array<std::size_t, 5> kNul{8, 7, 33, 13, 33};

}  // namespace

const char* to_string(ZfyLayout layout) {
    return layout == ZfyLayout::packed89 ? "packed89" : "nul94";
}

std::size_t zfy_size(ZfyLayout layout) {
    return layout == ZfyLayout::packed89 ? 89 : 94;
}

namespace {

Result<std::string> convert(std::string_view text, const char* to, const char* from) {
    iconv_t cd = iconv_open(to, from);
    if (cd == reinterpret_cast<iconv_t>(-1)) return sys_error(std::string("iconv_open(") + to + ", " + from + ")");
    std::string in(text);
    std::vector<char> out(in.size() * 2 + 4);
    char* ip = in.data();
    char* op = out.data();
    std::size_t il = in.size(), ol = out.size();
    const std::size_t rc = iconv(cd, &ip, &il, &op, &ol);
    const int err = errno;
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1))
        return Error{std::string("not ") + from + " text at byte " + std::to_string(ip - in.data()), err};
    return std::string(out.data(), static_cast<std::size_t>(op - out.data()));
}

}  // namespace

Result<std::string> gbk_to_utf8(std::string_view gbk) {
    return convert(gbk, "UTF-8", "GBK");
}

Result<std::string> utf8_to_gbk(std::string_view utf8) {
    return convert(utf8, "GBK", "UTF-8");
}

Result<std::string> encode_zfy(const ZfyInfo& info, ZfyLayout layout) {
    const bool packed = layout == ZfyLayout::packed89;
    const auto& widths = packed ? kPacked : kNul;
    std::string out;
    for (std::size_t i = 0; i < kFields.size(); ++i) {
        auto gbk = utf8_to_gbk(info.*(kFields[i].member));
        if (!gbk) return gbk.error().context(std::string("ZFY_INFO.") + kFields[i].name);
        const std::size_t room = packed ? widths[i] : widths[i] - 1;  // nul94 keeps its terminator
        if (gbk->size() > room)
            return Error{std::string("ZFY_INFO.") + kFields[i].name + ": " + std::to_string(gbk->size()) +
                         " bytes in GBK, the field holds " + std::to_string(room)};
        gbk->resize(widths[i], '\0');
        out += *gbk;
    }
    return out;
}

Result<ZfyInfo> decode_zfy(std::string_view bytes, ZfyLayout layout) {
    const bool packed = layout == ZfyLayout::packed89;
    const auto& widths = packed ? kPacked : kNul;
    if (bytes.size() < zfy_size(layout))
        return Error{"ZFY_INFO: " + std::to_string(bytes.size()) + " bytes, " + std::string(to_string(layout)) +
                     " needs " + std::to_string(zfy_size(layout))};
    ZfyInfo info;
    std::size_t at = 0;
    for (std::size_t i = 0; i < kFields.size(); ++i) {
        std::string_view raw = bytes.substr(at, widths[i]);
        at += widths[i];
        const auto nul = raw.find('\0');
        if (nul == std::string_view::npos && !packed)
            return Error{std::string("ZFY_INFO.") + kFields[i].name + ": no terminating NUL (is zfy_layout packed89?)"};
        raw = raw.substr(0, nul);
        for (unsigned char c : raw)
            if (c < 0x20 || c == 0x7f)
                return Error{std::string("ZFY_INFO.") + kFields[i].name + ": control byte in text (garbage?)"};
        auto text = gbk_to_utf8(raw);
        if (!text) return text.error().context(std::string("ZFY_INFO.") + kFields[i].name);
        info.*(kFields[i].member) = std::move(*text);
    }
    if (info.serial.empty()) return Error{"ZFY_INFO.cSerial: empty"};
    return info;
}

}  // namespace dockd::drivers::sdk
