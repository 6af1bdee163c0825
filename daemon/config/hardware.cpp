// station, ports and drivers: where the dock is and what is plugged into it.
#include <charconv>
#include <climits>
#include <set>

#include "daemon/config/reader.hpp"

namespace dockd::config::detail {
namespace {

bool is_id_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

// "1-1.4": bus, then port numbers joined by '.', as named in /sys/bus/usb/devices.
bool is_usb_path(const std::string& s) {
    auto dash = s.find('-');
    if (dash == 0 || dash == std::string::npos || dash + 1 == s.size()) return false;
    bool digit_before = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            digit_before = true;
        } else if ((c == '.' && i > dash) || i == dash) {
            if (!digit_before) return false;
            digit_before = false;
        } else {
            return false;
        }
    }
    return digit_before;
}

// vid/pid: a YAML integer (decimal or 0x hex) or a "0x1234" string, 0..0xFFFF.
void read_usb_id(Section& s, const std::string& key, std::uint16_t& out) {
    auto text = s.scalar(key, "a USB id (0..0xFFFF)");
    if (!text) return;
    std::string_view digits = *text;
    int base = 10;
    if (digits.starts_with("0x") || digits.starts_with("0X")) {
        digits.remove_prefix(2);
        base = 16;
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value > 0xFFFF) {
        s.ctx().error(s.get(key), s.name(key) + ": '" + *text + "' is not a USB id (0..0xFFFF)");
        return;
    }
    out = static_cast<std::uint16_t>(value);
}

// The options only one driver type understands; any other type rejects them.
struct TypedOption {
    const char* key;
    std::initializer_list<DriverType> types;
};
constexpr DriverType kUms = DriverType::ums, kSdk = DriverType::sdk, kSim = DriverType::sim;
const TypedOption kTypedOptions[] = {
    {"match", {kUms, kSdk}},       {"bays_dir", {kSim}},     {"time_file", {kUms, kSdk}},
    {"time_format", {kUms, kSdk}}, {"library", {kSdk}},      {"zfy_layout", {kSdk}},
    {"password_file", {kSdk}},     {"call_timeout", {kSdk}}, {"write_officer", {kSdk}},
};

void read_driver(Context& ctx, const YAML::Node& node, std::size_t index, std::vector<DriverConfig>& out) {
    const std::string where = "drivers[" + std::to_string(index) + "]";
    Section s(ctx, node, where,
              {"type", "match", "bays_dir", "time_file", "time_format", "library", "zfy_layout", "password_file",
               "call_timeout", "write_officer"},
              Context::line_of(node));
    if (!s.valid()) return;
    DriverConfig d;
    d.line = Context::line_of(node);
    s.require("type");
    if (!s.enumeration<DriverType>("type", d.type,
                                   {{"ums", DriverType::ums}, {"sdk", DriverType::sdk}, {"sim", DriverType::sim}}))
        return;  // without a type the other options cannot be judged
    for (const TypedOption& option : kTypedOptions) {
        if (!s.has(option.key)) continue;
        bool allowed = false;
        for (DriverType t : option.types) allowed = allowed || t == d.type;
        if (!allowed)
            ctx.error(s.line(option.key), s.name(option.key) + ": not an option of a " + to_string(d.type) + " driver");
    }

    std::size_t m = 0;
    for (const YAML::Node& item : s.sequence("match")) {
        Section ms(ctx, item, where + ".match[" + std::to_string(m++) + "]", {"vid", "pid"}, Context::line_of(item));
        if (!ms.valid()) continue;
        ms.require("vid");
        ms.require("pid");
        UsbMatch match;
        read_usb_id(ms, "vid", match.vid);
        read_usb_id(ms, "pid", match.pid);
        d.match.push_back(match);
    }
    s.path("bays_dir", d.bays_dir);
    if (s.string("time_file", d.time_file)) {
        std::filesystem::path p(d.time_file);
        bool escapes = false;
        for (const auto& part : p) escapes = escapes || part == "..";
        if (p.is_absolute() || escapes)
            ctx.error(s.get("time_file"), s.name("time_file") + ": '" + d.time_file +
                                              "' must be relative to the recorder's storage root, without '..'");
    }
    s.string("time_format", d.time_format);
    s.path("library", d.library);
    s.enumeration<ZfyLayout>("zfy_layout", d.zfy_layout,
                             {{"packed89", ZfyLayout::packed89}, {"nul94", ZfyLayout::nul94}});
    if (s.path("password_file", d.password_file))
        check_secret_file(ctx, Context::line_of(s.get("password_file")), s.name("password_file"), d.password_file);
    s.duration("call_timeout", d.call_timeout, Millis(1));
    s.boolean("write_officer", d.write_officer);

    if (d.type == DriverType::sim) s.require("bays_dir");
    if (d.type == DriverType::sdk) s.require("library");
    out.push_back(std::move(d));
}

}  // namespace

void read_station(Section& root, StationConfig& out) {
    Context& ctx = root.ctx();
    Section s(ctx, root.get("station"), "station", {"id", "name", "data_dir", "staging_dir", "media_dir"},
              root.line("station"));
    if (!s.valid()) return;
    s.require("id");
    if (s.string("id", out.id)) {
        for (char c : out.id) {
            if (!is_id_char(c)) {
                ctx.error(s.get("id"),
                          "station.id: '" + out.id +
                              "' may only contain A-Z a-z 0-9 . _ - (it names a directory in the archive)");
                break;
            }
        }
        if (out.id == "." || out.id == "..")
            ctx.error(s.get("id"), "station.id: '" + out.id + "' cannot name a directory");
    }
    s.string("name", out.name, true);
    s.path("data_dir", out.data_dir);
    if (!s.path("staging_dir", out.staging_dir)) out.staging_dir = out.data_dir / "staging";
    s.path("media_dir", out.media_dir);
}

void read_ports(Section& root, std::vector<PortConfig>& out) {
    Context& ctx = root.ctx();
    std::set<int> ids;
    std::set<std::string> usb_paths;
    std::size_t index = 0;
    for (const YAML::Node& item : root.sequence("ports")) {
        const std::string where = "ports[" + std::to_string(index++) + "]";
        Section s(ctx, item, where, {"id", "usb_path"}, Context::line_of(item));
        if (!s.valid()) continue;
        PortConfig port;
        port.line = Context::line_of(item);
        s.require("id");
        s.require("usb_path");
        if (s.integer("id", port.id, 1, INT_MAX) && !ids.insert(port.id).second)
            ctx.error(s.get("id"), where + ".id: duplicate port id " + std::to_string(port.id));
        if (s.string("usb_path", port.usb_path)) {
            if (!is_usb_path(port.usb_path))
                ctx.error(s.get("usb_path"),
                          where + ".usb_path: '" + port.usb_path + "' is not a USB port path like 1-1.4");
            else if (!usb_paths.insert(port.usb_path).second)
                ctx.error(s.get("usb_path"), where + ".usb_path: duplicate usb_path " + port.usb_path);
        }
        out.push_back(std::move(port));
    }
}

void read_drivers(Section& root, std::vector<DriverConfig>& out) {
    std::size_t index = 0;
    for (const YAML::Node& item : root.sequence("drivers")) read_driver(root.ctx(), item, index++, out);
}

}  // namespace dockd::config::detail
