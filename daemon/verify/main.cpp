// dockd-verify --keys DIR [--json] [--full] [--cache FILE] [--shard K/N]
//   [--max-silence DURATION] [--upload-deadline DURATION] [--jobs N]
//   [--metrics-file FILE] [--endpoint URL --region R --credentials-file F
//   --ca-file F --path-style BOOL] TARGET...            (DESIGN §11)
// Exit codes: 0 clean, 1 any discrepancy, 2 usage.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "daemon/verify/report.hpp"

namespace po = boost::program_options;
using namespace dockd;
using namespace dockd::verify;

namespace {

constexpr int exit_clean = 0, exit_discrepancy = 1, exit_usage = 2;

int usage(const std::string& message, const po::options_description& opts) {
    std::cerr << "dockd-verify: " << message << "\n\nusage: dockd-verify --keys DIR [options] TARGET...\n" << opts;
    return exit_usage;
}

std::optional<std::chrono::milliseconds> duration_option(const po::variables_map& vm, const char* name,
                                                         std::string& problem) {
    if (!vm.count(name)) return std::nullopt;
    auto d = config::parse_duration(vm[name].as<std::string>());
    if (!d) problem = std::string("--") + name + ": not a duration such as 90s, 15m, 24h or 2d";
    return d;
}

// Everything but the targets; returns the problem, or "".
std::string read_options(const po::variables_map& vm, Options& o) {
    std::string problem;
    o.keys_dir = vm["keys"].as<std::string>();
    o.json = vm.count("json") > 0;
    o.full = vm.count("full") > 0;
    if (vm.count("cache")) o.cache = vm["cache"].as<std::string>();
    if (vm.count("metrics-file")) o.metrics_file = vm["metrics-file"].as<std::string>();
    o.jobs = vm["jobs"].as<int>();
    if (o.jobs < 1 || o.jobs > 64) return "--jobs: 1 to 64";
    if (vm.count("shard")) {
        const std::string s = vm["shard"].as<std::string>();
        if (std::sscanf(s.c_str(), "%d/%d", &o.shard, &o.shards) != 2 || o.shards < 1 || o.shard < 1 ||
            o.shard > o.shards || s != std::to_string(o.shard) + "/" + std::to_string(o.shards))
            return "--shard: K/N with 1 <= K <= N, e.g. 2/4";
    }
    o.max_silence = duration_option(vm, "max-silence", problem);
    if (auto d = duration_option(vm, "upload-deadline", problem)) o.upload_deadline = *d;
    o.progress = ::isatty(STDERR_FILENO) && !o.json;
    return problem;
}

// TARGETs read like upload.targets[].url (DESIGN §5); S3 options apply to every s3:// one.
std::string read_targets(const po::variables_map& vm, Options& o) {
    for (const auto& url : vm["target"].as<std::vector<std::string>>()) {
        config::TargetConfig t;
        t.url = url;
        if (auto problem = config::parse_target_url(t, std::filesystem::current_path()); !problem.empty())
            return url + ": " + problem;
        if (t.kind == config::TargetKind::s3) {
            if (!vm.count("endpoint")) return url + ": --endpoint is required for an s3:// target";
            t.endpoint = vm["endpoint"].as<std::string>();
            t.region = vm["region"].as<std::string>();
            if (vm.count("credentials-file")) t.credentials_file = vm["credentials-file"].as<std::string>();
            if (vm.count("ca-file")) t.ca_file = vm["ca-file"].as<std::string>();
            t.path_style = vm["path-style"].as<bool>();
        }
        o.targets.push_back(std::move(t));
    }
    return {};
}

po::options_description described_options() {
    po::options_description opts("options");
    auto add = opts.add_options();
    add("keys", po::value<std::string>(), "directory of enrolled keys: <station_id>.pem (key 1 of each station)");
    add("json", "machine-readable report on stdout");
    add("full", "read every object again, whatever the cache says");
    add("cache", po::value<std::string>(), "SQLite cache kept between runs (a run then reads only what is new)");
    add("shard", po::value<std::string>(), "K/N: this machine's share of stations and objects");
    add("max-silence", po::value<std::string>(), "a station whose newest published row is older is reported");
    add("upload-deadline", po::value<std::string>(), "a docking older than this needs a manifest (default 24h)");
    add("jobs", po::value<int>()->default_value(4), "reads in parallel");
    add("metrics-file", po::value<std::string>(), "Prometheus textfile to write (node_exporter textfile collector)");
    add("endpoint", po::value<std::string>(), "S3 endpoint URL (https://...)");
    add("region", po::value<std::string>()->default_value("us-east-1"), "S3 region");
    add("credentials-file", po::value<std::string>(), "AWS shared-credentials file ([default], mode 0600)");
    add("ca-file", po::value<std::string>(), "CA bundle for a private S3 endpoint");
    add("path-style", po::value<bool>()->default_value(true), "path-style S3 URLs (false: virtual-host)");
    add("help", "this help");
    return opts;
}

}  // namespace

int main(int argc, char** argv) {
    const po::options_description opts = described_options();
    po::options_description hidden;
    hidden.add_options()("target", po::value<std::vector<std::string>>(), "");
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("target", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    } catch (const std::exception& e) {
        return usage(e.what(), opts);
    }
    if (vm.count("help")) {
        std::cout << "usage: dockd-verify --keys DIR [options] TARGET...\n" << opts;
        return exit_clean;
    }
    if (!vm.count("keys")) return usage("--keys DIR is required", opts);
    if (!vm.count("target")) return usage("give at least one TARGET (file:///... or s3://bucket/prefix)", opts);
    Options o;
    if (auto problem = read_options(vm, o); !problem.empty()) return usage(problem, opts);
    if (auto problem = read_targets(vm, o); !problem.empty()) return usage(problem, opts);

    const auto started = std::chrono::steady_clock::now();
    auto state = State::open(o.cache);
    if (!state) return usage("--cache: " + state.error().message, opts);
    Result<RunResult> result;
    try {
        result = run(o, *state);
    } catch (const std::exception& e) {
        std::cerr << "dockd-verify: " << e.what() << "\n";
        return exit_usage;
    }
    if (!result) {
        std::cerr << "dockd-verify: " << result.error().message << "\n";
        return exit_usage;
    }
    if (o.json)
        print_json(std::cout, o, *state, *result);
    else
        print_human(std::cout, o, *state, *result);
    if (!o.metrics_file.empty()) {
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (auto r = write_metrics(o.metrics_file, *state, *result, took); !r)
            std::cerr << "dockd-verify: --metrics-file: " << r.error().message << "\n";
    }
    return state->finding_count() == 0 ? exit_clean : exit_discrepancy;
}
