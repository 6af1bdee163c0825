#include "daemon/crypto/key_ring.hpp"

#include <algorithm>
#include <memory>

#include "daemon/common/fs.hpp"

namespace dockd::crypto {
namespace fs = std::filesystem;

fs::path KeyRing::file_of(int key_no) const {
    return key_no == 1 ? data_dir_ / "station.key" : data_dir_ / "keys" / (std::to_string(key_no) + ".key");
}

Result<std::unique_ptr<KeyRing>> KeyRing::open(const fs::path& data_dir, const std::vector<KeyInfo>& registered) {
    std::unique_ptr<KeyRing> ring(new KeyRing(data_dir));
    // Creating key 1 is right only for a station that never signed anything:
    // a registered key whose file vanished must stop the station, not be replaced.
    if (!registered.empty() && !fs::exists(ring->file_of(1)))
        return Error{ring->file_of(1).string() + ": missing, yet key 1 is registered in the custody store"};
    auto first = StationKey::load_or_create(ring->file_of(1));
    if (!first) return first.error();
    ring->entries_.push_back({{1, 1, first->public_pem()}, std::move(*first)});
    for (const auto& info : registered) {
        if (info.key_no == 1) {
            if (info.public_pem != ring->entries_.front().info.public_pem)
                return Error{ring->file_of(1).string() + ": not the key registered as key 1"};
            continue;
        }
        if (info.key_no != ring->entries_.back().info.key_no + 1)
            return Error{"custody store: key " + std::to_string(info.key_no) + " follows key " +
                         std::to_string(ring->entries_.back().info.key_no)};
        Entry e{info, std::nullopt};
        if (fs::exists(ring->file_of(info.key_no))) {
            auto k = StationKey::load_or_create(ring->file_of(info.key_no));
            if (!k) return k.error();
            if (k->public_pem() != info.public_pem)
                return Error{ring->file_of(info.key_no).string() + ": not the registered key " +
                             std::to_string(info.key_no)};
            e.key.emplace(std::move(*k));
        }
        ring->entries_.push_back(std::move(e));
    }
    if (!ring->entries_.back().key)
        return Error{ring->file_of(ring->entries_.back().info.key_no).string() + ": the current key is missing"};
    return ring;
}

KeyInfo KeyRing::current() const {
    std::lock_guard lock(mutex_);
    return entries_.back().info;
}

std::vector<KeyInfo> KeyRing::keys() const {
    std::lock_guard lock(mutex_);
    std::vector<KeyInfo> out;
    for (const auto& e : entries_) out.push_back(e.info);
    return out;
}

Result<std::string> KeyRing::sign_at(std::int64_t seq, std::string_view message) const {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
        if (it->info.first_seq > seq) continue;
        if (!it->key)
            return Error{"key " + std::to_string(it->info.key_no) + " (valid at seq " + std::to_string(seq) +
                         ") is no longer on this station"};
        return it->key->sign(message);
    }
    return Error{"no key is valid at seq " + std::to_string(seq)};
}

Result<std::pair<KeyInfo, StationKey>> KeyRing::prepare_next() const {
    const int next = current().key_no + 1;
    if (auto r = make_dirs(data_dir_ / "keys", 0700); !r) return r.error();
    auto key = StationKey::load_or_create(file_of(next));
    if (!key) return key.error();
    KeyInfo info{next, 0, key->public_pem()};
    return std::pair<KeyInfo, StationKey>{std::move(info), std::move(*key)};
}

void KeyRing::activate(const KeyInfo& info, StationKey key) {
    std::lock_guard lock(mutex_);
    entries_.push_back({info, std::move(key)});
}

}  // namespace dockd::crypto
