// The demo's /chat room: every message goes to every member, the sender included. Part of
// squall-demo; the member is a tornado/websocket.py (4.0) WebSocketHandler.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "squall/websocket.h"

namespace squall::demo {

class ChatMember;

/// The open /chat connections. Members join in open() and leave in on_close().
class ChatRoom {
public:
    explicit ChatRoom(std::size_t max_backlog) : max_backlog_(max_backlog) {}
    void join(const std::shared_ptr<ChatMember>& member);
    void leave(const ChatMember* member);
    /// To every member; one that closes meanwhile (or is cut off) does not stop the others.
    void broadcast(std::string_view message, bool binary);

private:
    std::size_t max_backlog_;
    std::vector<std::weak_ptr<ChatMember>> members_;
};

class ChatMember : public WebSocketHandler {
public:
    void initialize(std::shared_ptr<ChatRoom> room) { room_ = std::move(room); }
    Future<void> open() override;
    Future<void> on_message(std::string message, bool binary) override;
    void on_close() override;
    /// Queues `message` unless the bytes queued before and not yet flushed exceed
    /// `max_backlog`: then this member is too slow and is closed with 1008 instead.
    void send(std::string_view message, bool binary, std::size_t max_backlog);

private:
    std::shared_ptr<ChatRoom> room_;
    // Shared with the write callbacks, which may run after the member is gone.
    std::shared_ptr<std::size_t> unflushed_ = std::make_shared<std::size_t>(0);
    bool cut_off_ = false;
};

}  // namespace squall::demo
