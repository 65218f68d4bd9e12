// The demo's /chat room: members, broadcasting, and cutting off members too slow to read.
// Part of squall-demo.
#include "chat.h"

#include <algorithm>

namespace squall::demo {

void ChatRoom::join(const std::shared_ptr<ChatMember>& member) { members_.push_back(member); }

void ChatRoom::leave(const ChatMember* member) {
    auto gone = [member](const std::weak_ptr<ChatMember>& m) {
        auto alive = m.lock();
        return !alive || alive.get() == member;
    };
    members_.erase(std::remove_if(members_.begin(), members_.end(), gone), members_.end());
}

void ChatRoom::broadcast(std::string_view message, bool binary) {
    // A copy: a member cut off (or failing) inside send() may leave the room at once.
    const std::vector<std::weak_ptr<ChatMember>> members = members_;
    for (const auto& weak : members)
        if (auto member = weak.lock()) member->send(message, binary, max_backlog_);
}

Future<void> ChatMember::open() {
    room_->join(std::static_pointer_cast<ChatMember>(shared_from_this()));
    return {};
}

Future<void> ChatMember::on_message(std::string message, bool binary) {
    room_->broadcast(message, binary);
    return {};
}

void ChatMember::on_close() { room_->leave(this); }

void ChatMember::send(std::string_view message, bool binary, std::size_t max_backlog) {
    if (cut_off_) return;
    if (*unflushed_ > max_backlog) {
        // Memory per member stays below max_backlog plus one message (websocket_max_message_size).
        cut_off_ = true;
        close(1008, "too slow");
        return;
    }
    *unflushed_ += message.size();
    write_message(message, binary).add_done_callback([unflushed = unflushed_, size = message.size()](Future<void> f) {
        (void)f.exception();  // a closed member: on_close reports it
        *unflushed -= size;
    });
}

}  // namespace squall::demo
