#include "drivers/sim/device_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "daemon/common/fs.hpp"

namespace dockd::drivers::sim {
namespace json = boost::json;

namespace {

constexpr std::size_t max_device_file_bytes = 1 << 20;
constexpr std::string_view file_name = "device.json";

std::size_t line_at(std::string_view text, std::size_t pos) {
    pos = std::min(pos, text.size());
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + pos, '\n'));
}

// Boost.JSON keeps no source positions, so a field's line is found again in
// the text: the first `"key"` followed by ':' at or after `from`.
std::size_t key_pos(std::string_view text, std::string_view key, std::size_t from) {
    const std::string quoted = "\"" + std::string(key) + "\"";
    for (auto pos = text.find(quoted, from); pos != std::string_view::npos; pos = text.find(quoted, pos + 1)) {
        auto after = pos + quoted.size();
        while (after < text.size() && std::isspace(static_cast<unsigned char>(text[after]))) ++after;
        if (after < text.size() && text[after] == ':') return pos;
    }
    return std::string_view::npos;
}

// Reads typed fields out of one JSON object, reporting "line N: ..." errors.
class Fields {
public:
    Fields(std::string_view text, const json::object& obj, std::string prefix, std::size_t from)
        : text_(text), obj_(obj), prefix_(std::move(prefix)), from_(from) {}

    Error error(std::string_view key, const std::string& what) const {
        const auto pos = key_pos(text_, key, from_);
        const auto line = line_at(text_, pos == std::string_view::npos ? from_ : pos);
        return {"line " + std::to_string(line) + ": " + what + " for " + name(key)};
    }
    std::string name(std::string_view key) const { return prefix_ + std::string(key); }
    std::size_t pos_of(std::string_view key) const {
        const auto pos = key_pos(text_, key, from_);
        return pos == std::string_view::npos ? from_ : pos;
    }

    // Present with the value null: the recorder cannot report this fact.
    bool null(std::string_view key) const {
        const auto* v = obj_.if_contains(key);
        return v && v->is_null();
    }

    // nullptr when missing or null: the field takes its default.
    const json::value* find(std::string_view key) const {
        const auto* v = obj_.if_contains(key);
        return v && !v->is_null() ? v : nullptr;
    }

    Result<void> get(std::string_view key, std::string& out) const {
        const auto* v = find(key);
        if (!v) return {};
        if (!v->is_string()) return error(key, "expected string");
        out = std::string(v->get_string());
        return {};
    }
    Result<void> get(std::string_view key, bool& out) const {
        const auto* v = find(key);
        if (!v) return {};
        if (!v->is_bool()) return error(key, "expected true or false");
        out = v->get_bool();
        return {};
    }
    Result<void> get(std::string_view key, double& out) const {
        const auto* v = find(key);
        if (!v) return {};
        if (!v->is_number()) return error(key, "expected number");
        out = v->to_number<double>();
        if (!std::isfinite(out)) return error(key, "expected finite number");
        return {};
    }
    Result<void> get(std::string_view key, std::uint64_t& out) const {
        const auto* v = find(key);
        if (!v) return {};
        if (!v->is_number()) return error(key, "expected number");
        if (v->is_uint64()) {
            out = v->get_uint64();
        } else if (v->is_int64() && v->get_int64() >= 0) {
            out = static_cast<std::uint64_t>(v->get_int64());
        } else if (v->is_double() && v->get_double() >= 0 && v->get_double() < 0x1p64 &&
                   std::trunc(v->get_double()) == v->get_double()) {
            out = static_cast<std::uint64_t>(v->get_double());
        } else {
            return error(key, "expected non-negative integer");
        }
        return {};
    }
    Result<void> get(std::string_view key, std::optional<std::uint64_t>& out) const {
        if (!find(key)) return {};
        std::uint64_t n = 0;
        if (auto r = get(key, n); !r) return r;
        out = n;
        return {};
    }

private:
    std::string_view text_;
    const json::object& obj_;
    std::string prefix_;
    std::size_t from_;
};

Result<void> parse_officer(std::string_view text, const Fields& top, DeviceFile& out) {
    const auto* v = top.find("officer");
    if (!v) return {};
    if (!v->is_object()) return top.error("officer", "expected object");
    const Fields f(text, v->get_object(), "officer.", top.pos_of("officer"));
    Officer o;
    for (auto [key, field] :
         {std::pair{"no", &o.no}, {"name", &o.name}, {"unit_no", &o.unit_no}, {"unit_name", &o.unit_name}}) {
        if (auto r = f.get(key, *field); !r) return r;
    }
    out.identity.officer = std::move(o);
    return {};
}

Result<void> parse_faults(std::string_view text, const Fields& top, DeviceFaults& out) {
    const auto* v = top.find("faults");
    if (!v) return {};
    if (!v->is_object()) return top.error("faults", "expected object");
    const Fields f(text, v->get_object(), "faults.", top.pos_of("faults"));
    if (auto r = f.get("stall_after_bytes", out.stall_after_bytes); !r) return r;
    if (auto r = f.get("clock_set_fails", out.clock_set_fails); !r) return r;
    const auto* list = f.find("io_error");
    if (!list) return {};
    if (!list->is_array()) return f.error("io_error", "expected array");
    std::size_t i = 0;
    for (const auto& item : list->get_array()) {
        const auto item_name = "io_error[" + std::to_string(i++) + "]";
        if (!item.is_object()) return f.error("io_error", "expected object in array");
        const Fields e(text, item.get_object(), f.name(item_name) + ".", f.pos_of("io_error"));
        IoErrorFault fault;
        if (auto r = e.get("path", fault.path); !r) return r;
        if (fault.path.empty()) return e.error("path", "missing");
        if (!e.find("offset")) return e.error("offset", "missing");
        if (auto r = e.get("offset", fault.offset); !r) return r;
        out.io_error.push_back(std::move(fault));
    }
    return {};
}

Result<void> parse_important(const Fields& top, std::set<std::string>& out) {
    const auto* v = top.find("important");
    if (!v) return {};
    if (!v->is_array()) return top.error("important", "expected array");
    for (const auto& item : v->get_array()) {
        if (!item.is_string()) return top.error("important", "expected strings in array");
        out.emplace(item.get_string());
    }
    return {};
}

Result<json::object> parse_object(std::string_view text) {
    json::stream_parser parser;
    boost::system::error_code ec;
    const auto consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) return Error{"line " + std::to_string(line_at(text, consumed)) + ": " + ec.message()};
    auto value = parser.release();
    if (!value.is_object()) return Error{"line 1: expected a JSON object"};
    return std::move(value.get_object());
}

Result<std::string> read_device_text(const std::filesystem::path& bay_dir) {
    const auto path = bay_dir / file_name;
    // The file is input from the (simulated) device: no symlinks, no FIFOs, bounded size.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return sys_error("open");
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return sys_error("stat");
    if (!S_ISREG(st.st_mode)) return Error{"not a regular file"};
    if (static_cast<std::uint64_t>(st.st_size) > max_device_file_bytes)
        return Error{"larger than " + std::to_string(max_device_file_bytes) + " bytes"};
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const auto n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("read");
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    return text;
}

}  // namespace

Result<DeviceFile> parse_device_file(std::string_view text) {
    auto obj = parse_object(text);
    if (!obj) return obj.error();
    const Fields top(text, *obj, "", 0);
    DeviceFile out;
    auto& id = out.identity;
    id.vendor = "Sim";
    id.model = "S1";
    std::string firmware = "1.0";
    if (!top.find("serial")) return Error{"line 1: missing serial"};
    for (auto [key, field] :
         {std::pair{"serial", &id.serial}, {"vendor", &id.vendor}, {"model", &id.model}, {"firmware", &firmware}}) {
        if (auto r = top.get(key, *field); !r) return r.error();
    }
    if (id.serial.empty()) return top.error("serial", "expected non-empty string");
    if (!top.null("firmware")) id.firmware = firmware;
    if (auto r = parse_officer(text, top, out); !r) return r.error();

    double battery = 100;
    if (auto r = top.get("battery_percent", battery); !r) return r.error();
    if (battery < 0 || battery > 100) return top.error("battery_percent", "expected 0..100");
    out.battery_percent = top.null("battery_percent") ? std::nullopt : std::optional<int>(static_cast<int>(battery));
    if (auto r = top.get("charge_percent_per_min", out.charge_percent_per_min); !r) return r.error();
    if (auto r = top.get("clock_offset_s", out.clock_offset_s); !r) return r.error();
    if (auto r = top.get("clock_readable", out.clock_readable); !r) return r.error();
    std::uint64_t total = *out.storage_total_bytes;
    if (auto r = top.get("storage_total_bytes", total); !r) return r.error();
    out.storage_total_bytes = top.null("storage_total_bytes") ? std::nullopt : std::optional<std::uint64_t>(total);
    if (auto r = top.get("read_bytes_per_s", out.read_bytes_per_s); !r) return r.error();
    if (auto r = parse_faults(text, top, out.faults); !r) return r.error();
    if (auto r = parse_important(top, out.important); !r) return r.error();
    return out;
}

Result<DeviceFile> load_device_file(const std::filesystem::path& bay_dir) {
    auto text = read_device_text(bay_dir);
    if (!text) return text.error().context(std::string(file_name));
    auto parsed = parse_device_file(*text);
    if (!parsed) return parsed.error().context(std::string(file_name));
    return parsed;
}

Result<void> reset_clock_offset(const std::filesystem::path& bay_dir) {
    auto text = read_device_text(bay_dir);
    if (!text) return text.error().context(std::string(file_name));
    auto obj = parse_object(*text);
    if (!obj) return obj.error().context(std::string(file_name));
    (*obj)["clock_offset_s"] = 0;
    const auto out = json::serialize(*obj) + "\n";
    if (auto r = write_file_atomic(bay_dir / file_name, out); !r) return r.error().context(std::string(file_name));
    return {};
}

}  // namespace dockd::drivers::sim
