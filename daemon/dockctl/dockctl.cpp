// dockctl [--url URL] [--token-file F] [--json] COMMAND (DESIGN §4)
// Exit codes: 0 ok, 1 runtime failure, 2 usage error.
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <iostream>

#include "daemon/common/fs.hpp"
#include "daemon/dockctl/commands.hpp"

namespace po = boost::program_options;
using namespace dockd::dockctl;

namespace {
const char* usage =
    "usage: dockctl [--url URL] [--token-file F] [--json] COMMAND\n"
    "  status                 station summary + one line per bay\n"
    "  ports                  bays in detail\n"
    "  ledger [--from D] [--to D] [--csv]   device-use ledger\n"
    "  verify                 check the local audit chain end to end\n"
    "  pubkey                 print the station's Ed25519 public key (PEM)\n";
}

int main(int argc, char** argv) {
    po::options_description opts("options");
    opts.add_options()("url", po::value<std::string>()->default_value("http://127.0.0.1:8470"), "daemon API")(
        "token-file", po::value<std::string>(), "file holding the bearer token")("json", "machine-readable output")(
        "csv", "CSV output (ledger)")("from", po::value<std::string>(), "from date (YYYY-MM-DD)")(
        "to", po::value<std::string>(), "to date (YYYY-MM-DD)")("help", "this help")(
        "command", po::value<std::vector<std::string>>(), "command");
    po::positional_options_description pos;
    pos.add("command", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    } catch (const std::exception& e) {
        std::cerr << "dockctl: " << e.what() << "\n" << usage;
        return 2;
    }
    if (vm.count("help") || !vm.count("command")) {
        std::cout << usage;
        return vm.count("help") ? 0 : 2;
    }
    std::string token;
    if (vm.count("token-file")) {
        auto t = dockd::read_file(vm["token-file"].as<std::string>());
        if (!t) {
            std::cerr << "dockctl: " << t.error().message << "\n";
            return 2;
        }
        token = *t;
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    }
    Options o;
    o.json = vm.count("json") > 0;
    o.csv = vm.count("csv") > 0;
    if (vm.count("from")) o.from = vm["from"].as<std::string>();
    if (vm.count("to")) o.to = vm["to"].as<std::string>();
    const auto words = vm["command"].as<std::vector<std::string>>();
    Client client(vm["url"].as<std::string>(), token);
    return run_command(client, words, o);
}
