// Counts a recorder's failed commands in a row on its bay slot and calls
// unresponsive(bay) once the count reaches the threshold, so the station can
// power-cycle the port (DESIGN §6 "power-cycle to recover a recorder that
// stops answering").
#pragma once

#include <functional>
#include <memory>

#include "drivers/recorder.hpp"
#include "drivers/usb/bay_slot.hpp"

namespace dockd::drivers::usb {

class WatchedRecorder : public Recorder {
public:
    WatchedRecorder(std::shared_ptr<Recorder> inner, std::shared_ptr<BaySlot> slot, int threshold,
                    std::function<void(int bay)> unresponsive)
        : inner_(std::move(inner)),
          slot_(std::move(slot)),
          threshold_(threshold),
          unresponsive_(std::move(unresponsive)) {}

    Result<Identity> identify() override { return watch(inner_->identify()); }
    Result<std::optional<int>> battery_percent() override { return watch(inner_->battery_percent()); }
    Result<StorageInfo> storage() override { return watch(inner_->storage()); }
    Result<std::optional<DeviceTime>> read_clock() override { return watch(inner_->read_clock()); }
    Result<void> set_clock(SystemTime now) override { return watch(inner_->set_clock(now)); }
    bool clock_set_before_media() const override { return inner_->clock_set_before_media(); }
    Result<bool> write_officer(const Officer& o) override { return watch(inner_->write_officer(o)); }
    Result<std::vector<MediaEntry>> list_media() override { return watch(inner_->list_media()); }
    Result<std::unique_ptr<MediaReader>> open_media(const MediaEntry& e) override {
        return watch(inner_->open_media(e));
    }
    Result<void> remove_media(const MediaEntry& e) override { return watch(inner_->remove_media(e)); }

private:
    template <class R>
    R watch(R r) {
        const int failures = slot_->note_command(r.ok());
        if (threshold_ > 0 && failures == threshold_ && unresponsive_) unresponsive_(slot_->bay());
        return r;
    }
    std::shared_ptr<Recorder> inner_;
    std::shared_ptr<BaySlot> slot_;
    int threshold_;
    std::function<void(int)> unresponsive_;
};

}  // namespace dockd::drivers::usb
