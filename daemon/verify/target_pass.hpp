// One target's verification (DESIGN §11): list it, read what is new, check
// every station's chain, signatures, manifests, amendments and keys, then
// every object the documents name, and report what no document names.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/archive/target.hpp"
#include "daemon/crypto/public_key.hpp"
#include "daemon/verify/documents.hpp"
#include "daemon/verify/options.hpp"
#include "daemon/verify/progress.hpp"
#include "daemon/verify/reads.hpp"
#include "daemon/verify/state.hpp"

namespace dockd::verify {

// A station key and the first audit seq it signs (key n+1 from the row
// after the key_rotated that announces it).
struct RingKey {
    int key_no = 0;
    std::int64_t first_seq = 1;
    std::string pem;  // canonical
};

// What the human summary and --json say per station and target.
struct StationSummary {
    std::string station, target;
    std::int64_t chain_last = 0, segments = 0, manifests = 0, amendments = 0, keys = 0;
    std::string head_hash, newest_at;
};

class TargetPass {
public:
    TargetPass(const Options& options, State& state, archive::Target& target,
               const std::map<std::string, std::string>& enrolled, Counts& counts, Progress& progress);
    void run();
    const std::vector<StationSummary>& summaries() const { return summaries_; }

private:
    void run_checks();
    // target_read.cpp
    bool list();
    void drop_stale();
    void read_documents(bool keys_only);
    void store(const ReadJob& job, ReadOutcome& outcome);
    // Each returns what is wrong inside the document ("" when nothing).
    std::string store_segment(const std::string& key, const std::string& station, const std::string& body);
    std::string store_manifest(const std::string& key, const std::string& body);
    std::string store_amendment(const std::string& key, const std::string& body);
    template <class View>
    std::string store_entries(const std::string& key, const Result<View>& view, const std::vector<FileEntry>& files);
    void load_candidates();
    // The candidate PEM the signature verifies under, or "".
    std::string verified_by(const std::string& station, const std::string& message,
                            const Result<std::string>& signature);
    // target_chain.cpp
    void check_chain(const std::string& station, StationSummary& summary);
    bool follows(const std::string& station, const std::string& doc, std::int64_t first, std::int64_t next);
    void apply_rotations(const std::string& station, const std::string& doc, std::int64_t last);
    void check_silence(const std::string& station, const StationSummary& summary, const std::string& newest_doc);
    // true when the signature verifies under the key valid at seq (else a finding).
    bool check_signature(const std::string& station, const std::string& docking, const std::string& document,
                         std::int64_t seq, const std::string& signature, const std::string& verified,
                         const char* check);
    bool verify_again(const std::string& document, const std::string& pem);
    const RingKey* key_at(const std::string& station, std::int64_t seq) const;
    // target_documents.cpp
    struct SignedDoc {
        std::string document, docking, signature;
    };
    using SignedCheck = std::function<void(const SignedDoc&, bool signed_ok, const std::optional<std::string>& extra)>;
    void check_signed(const std::string& station, const std::string& layout, const std::string& extra,
                      std::int64_t& count, const SignedCheck& more);
    void check_manifests(const std::string& station, StationSummary& summary);
    void check_amendments(const std::string& station, StationSummary& summary);
    void check_keys(const std::string& station, StationSummary& summary);
    void check_owed(const std::string& station);
    // target_objects.cpp
    void expect_objects();
    void confirm_unlisted();
    void check_objects();
    void read_objects();
    void check_unreferenced();

    std::vector<std::string> stations();
    void add(const std::string& station, const std::string& docking, const std::string& object,
             const std::string& check, const std::string& message);

    const Options& o_;
    State& state_;
    archive::Target& target_;
    const std::string url_;
    const std::map<std::string, std::string>& enrolled_;  // station -> canonical PEM of key 1
    Counts& counts_;
    Progress& progress_;
    std::map<std::string, std::vector<RingKey>> rings_;
    std::map<std::string, std::vector<std::string>> candidates_;  // station -> PEMs a signature may be tried with
    std::map<std::string, crypto::PublicKey> public_keys_;        // PEM -> parsed
    std::vector<StationSummary> summaries_;
};

}  // namespace dockd::verify
