// The station's signing keys over time (DESIGN §11). Key 1 is
// <data_dir>/station.key (§8); key n > 1 is <data_dir>/keys/<n>.key, both
// Ed25519 PEM, mode 0600, never sent anywhere. Key n signs everything whose
// audit seq lies in [first_seq(n), first_seq(n+1) - 1]: the key_rotated row
// that announces n+1 is the last seq key n signs, so the segment it ends is
// key n's and everything after it is the new key's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/result.hpp"
#include "daemon/crypto/station_key.hpp"

namespace dockd::crypto {

struct KeyInfo {
    int key_no = 0;
    std::int64_t first_seq = 1;  // first audit seq this key signs
    std::string public_pem;
};

class KeyRing {
public:
    // registered: the keys the custody store knows (empty at the first start,
    // when key 1 is created or, on an older station, adopted from station.key).
    static Result<std::unique_ptr<KeyRing>> open(const std::filesystem::path& data_dir,
                                                 const std::vector<KeyInfo>& registered);

    KeyInfo current() const;
    std::vector<KeyInfo> keys() const;
    // Signs with the key valid at `seq`; an error when its private half is gone.
    Result<std::string> sign_at(std::int64_t seq, std::string_view message) const;
    // Creates key current+1 on disk (or reloads one a crashed rotation left
    // unannounced); it signs nothing until activate().
    Result<std::pair<KeyInfo, StationKey>> prepare_next() const;
    void activate(const KeyInfo& info, StationKey key);

private:
    struct Entry {
        KeyInfo info;
        std::optional<StationKey> key;  // old keys whose file was removed sign nothing
    };
    explicit KeyRing(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}
    std::filesystem::path file_of(int key_no) const;

    std::filesystem::path data_dir_;
    mutable std::mutex mutex_;
    std::vector<Entry> entries_;  // by key_no, 1 first
};

}  // namespace dockd::crypto
