#include "drivers/usb/port_power.hpp"

#include <algorithm>

#include "daemon/common/log.hpp"

namespace dockd::drivers::usb {
namespace asio = boost::asio;

PortPower::PortPower(asio::io_context& io, UsbContext& usb, const std::vector<BayPort>& ports, PowerPolicy policy,
                     Audit audit)
    : io_(io), usb_(usb), policy_(policy), audit_(std::move(audit)), timer_(io) {
    for (const auto& p : ports)
        if (auto hp = hub_port_of(p.usb_path)) ports_[p.bay] = *hp;
}

Result<void> PortPower::power(int bay, const std::string& action, const std::string& by) {
    auto it = ports_.find(bay);
    Result<void> r;
    if (it == ports_.end()) {
        r = Error{"bay " + std::to_string(bay) + " has no hub port"};
    } else if (action == "on" || action == "off") {
        r = set_port_power(usb_.get(), it->second, action == "on");
        if (r) std::erase(queue_, bay);
    } else if (action == "cycle") {
        r = set_port_power(usb_.get(), it->second, false);
        if (r) {
            auto timer = std::make_shared<asio::steady_timer>(io_, cycle_pause);
            timer->async_wait([this, timer, bay, by, alive = alive_](boost::system::error_code ec) {
                if (ec || !*alive) return;
                auto on = set_port_power(usb_.get(), ports_.at(bay), true);
                if (!on) log::error("bay " + std::to_string(bay) + ": power cycle: " + on.error().message);
                audit_(bay, "cycle_on", by, on);
            });
        }
    } else {
        r = Error{"power action must be on, off or cycle, not '" + action + "'"};
    }
    if (!r) r = r.error().context("bay " + std::to_string(bay));
    audit_(bay, action, by, r);
    return r;
}

void PortPower::start(Charging charging) {
    charging_ = std::move(charging);
    for (const auto& [bay, hp] : ports_) {
        auto off = set_port_power(usb_.get(), hp, false);
        audit_(bay, "off", "start", off);
        if (!off) {
            // Not switchable (or no hub): left as it is, and said so.
            log::warning("bay " + std::to_string(bay) + ": port power not switched: " + off.error().message);
            continue;
        }
        queue_.push_back(bay);
    }
    next();
}

int PortPower::busy(int except) const {
    int n = 0;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [bay, hp] : ports_) {
        if (bay == except) continue;
        auto at = powered_.find(bay);
        const bool settling = at != powered_.end() && now - at->second < detect_settle;
        n += settling || (charging_ && charging_(bay)) ? 1 : 0;
    }
    return n;
}

void PortPower::next() {
    if (queue_.empty()) return;
    if (busy(queue_.front()) < policy_.max_concurrent_charging) {
        const int bay = queue_.front();
        queue_.pop_front();
        auto r = set_port_power(usb_.get(), ports_.at(bay), true);
        if (r)
            powered_[bay] = std::chrono::steady_clock::now();
        else
            log::error("bay " + std::to_string(bay) + ": power on: " + r.error().message);
        audit_(bay, "on", "stagger", r);
    }
    schedule_next();
}

void PortPower::schedule_next() {
    if (queue_.empty()) return;
    timer_.expires_after(policy_.power_on_stagger);
    timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (!ec && *alive) next();
    });
}

bool PortPower::admit(int bay) {
    if (!ports_.count(bay)) return true;
    if (queued(bay)) return false;
    if (busy(bay) < policy_.max_concurrent_charging) return true;
    auto off = set_port_power(usb_.get(), ports_.at(bay), false);
    audit_(bay, "off", "charge_cap", off);
    if (!off) {
        // Not switchable: the recorder charges regardless, and is served.
        log::warning("bay " + std::to_string(bay) +
                     ": over the charging cap but port power not switched: " + off.error().message);
        return true;
    }
    log::info("bay " + std::to_string(bay) + ": " + std::to_string(policy_.max_concurrent_charging) +
              " bays already charging (charge.max_concurrent_charging); waits its turn");
    powered_.erase(bay);
    queue_.push_back(bay);
    if (queue_.size() == 1) schedule_next();
    return false;
}

void PortPower::stop() {
    *alive_ = false;
    timer_.cancel();
}

bool PortPower::queued(int bay) const {
    return std::find(queue_.begin(), queue_.end(), bay) != queue_.end();
}

}  // namespace dockd::drivers::usb
