// Fills a data_dir with a station's history for bench/scale.py: N dockings of
// M files each, written through the real custody store (schema, audit chain,
// upload queue, manifests and signed segments as the daemon writes them), every
// file staged, verified, archived to one target, wiped and purged, as on a
// station that has run for a year. Meant for a tmpfs data_dir (the store
// fsyncs every transaction; tmpfs makes that free), copied elsewhere after.
//
// usage: scale_fill DATA_DIR TARGET_URL STATION_ID DOCKINGS FILES_PER_DOCKING
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "daemon/common/hex.hpp"
#include "daemon/common/time.hpp"
#include "daemon/crypto/key_ring.hpp"
#include "daemon/custody/store.hpp"
#include "daemon/upload/manifest.hpp"

namespace {

using namespace dockd;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "scale_fill: %s\n", what.c_str());
    std::exit(1);
}

custody::Signer signer(const crypto::KeyRing& keys) {
    return [&keys](std::int64_t seq, std::string_view bytes) { return keys.sign_at(seq, bytes); };
}

// Everything due is done at once: the target holds it.
void drain_queue(custody::Store& store) {
    for (;;) {
        const auto jobs = store.due_uploads(to_unix_ms(std::chrono::system_clock::now()), 5000, {});
        if (jobs.empty()) return;
        for (const auto& j : jobs) {
            if (j.publication_id)
                store.mark_published(j.publication_id, j.target);
            else
                store.mark_uploaded(j.file_id, j.target);
        }
    }
}

void one_docking(custody::Store& store, const crypto::KeyRing& keys, const std::string& target,
                 const std::string& station, int n, int files) {
    const std::string serial = "SCALE" + std::to_string(n % 400);  // 400 recorders, ~25 dockings each
    const custody::OfficerRecord officer{"9" + std::to_string(n % 400), "officer " + std::to_string(n % 400), "U1",
                                         "unit one"};
    const auto opened = store.open_docking(1 + n % 8, {serial, "sim", "ZFY-S1", "1.0"}, officer);
    store.record_health(opened.id, {80, 64ull << 30, 32ull << 30});
    std::vector<custody::StagedFile> batch;
    const std::string now = rfc3339(std::chrono::system_clock::now());
    for (int i = 0; i < files; ++i) {
        custody::StagedFile f;
        f.docking_id = opened.id;
        f.serial = serial;
        f.device_path = "DCIM/" + std::to_string(n) + "/VID" + std::to_string(i) + ".MP4";
        f.size = 50'000'000 + static_cast<std::uint64_t>(i);
        f.device_mtime_ms = 1'700'000'000'000 + n * 1000LL + i;
        f.sha256 = std::string(64, "0123456789abcdef"[i % 16]);
        f.staging_name = opened.id + "-" + std::to_string(i);
        f.object_key = "media/" + serial + "/2026/01/01/" + opened.id + "-" + std::to_string(i) + ".MP4";
        f.recorded_at_device = f.recorded_at = now;
        f.ingested_at = now;
        batch.push_back(std::move(f));
    }
    const auto ids = store.commit_staged(batch, {target});
    for (const auto id : ids) store.mark_verified(id, true, "sha256 matches");
    for (const auto id : ids) store.mark_wiped(id);
    store.finish_offload(opened.id, files, 0, 0, 0);
    store.close_docking(opened.id, 95, "undocked");
    drain_queue(store);
    for (const auto id : ids) store.mark_purged(id);
    auto m = upload::build_manifest(store, station, config::RetentionConfig{}, opened.id);
    if (!m) die(m.error().message);
    auto sig = keys.sign_at(m->audit_seq, m->json);
    if (!sig) die(sig.error().message);
    store.save_manifest_doc({opened.id, m->key, m->json, to_hex(*sig)});
    store.mark_manifest_written(opened.id, target);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) die("usage: scale_fill DATA_DIR TARGET_URL STATION_ID DOCKINGS FILES_PER_DOCKING");
    const std::filesystem::path data_dir = argv[1];
    const std::string target = argv[2];
    const std::string station = argv[3];
    const int dockings = std::atoi(argv[4]), files = std::atoi(argv[5]);
    auto store = custody::Store::open(data_dir / "custody.db");
    if (!store) die(store.error().message);
    auto keys = crypto::KeyRing::open(data_dir, (*store)->station_keys());
    if (!keys) die(keys.error().message);
    (*store)->register_first_key((*keys)->keys().front());
    for (int n = 0; n < dockings; ++n) {
        one_docking(**store, **keys, target, station, n, files);
        if (n % 100 == 99 || n + 1 == dockings) {  // a segment interval's worth of history
            (*store)->cut_segments(station, {}, signer(**keys), {target});
            drain_queue(**store);
            std::fprintf(stderr, "\rscale_fill: %d/%d dockings", n + 1, dockings);
        }
    }
    std::fprintf(stderr, "\n");
    return 0;
}
