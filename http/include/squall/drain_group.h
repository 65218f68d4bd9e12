// DrainGroup: the connections a server's graceful shutdown must reach although it no longer
// serves them itself, such as a WebSocket that took over its HTTP connection's stream. Each
// member says how it closes gracefully (a WebSocket: a 1001 close) and at once. Public header;
// squall's counterpart of what Tornado 5 leaves to the application (HTTPServer.close_all_connections).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <unordered_set>

#include "squall/concurrent.h"

namespace squall {

class DrainGroup : public std::enable_shared_from_this<DrainGroup> {
public:
    /// Implemented by what joins a group; called on the group's loop.
    class Member {
    public:
        /// Begin a clean close (the connection ends by itself soon).
        virtual void drain() = 0;
        /// Close now: the grace period is over.
        virtual void abort() = 0;

    protected:
        ~Member() = default;
    };

    /// Leaves the group when destroyed or reset (move-only). Keep it as long as the member
    /// may be told to close, and let it go once the connection is closed.
    class Membership {
    public:
        Membership() noexcept = default;
        Membership(Membership&& other) noexcept;
        Membership& operator=(Membership&& other) noexcept;
        ~Membership() { leave(); }
        void leave() noexcept;
        explicit operator bool() const noexcept { return member_ != nullptr; }

    private:
        friend class DrainGroup;
        Membership(std::weak_ptr<DrainGroup> group, Member* member) noexcept
            : group_(std::move(group)), member_(member) {}
        std::weak_ptr<DrainGroup> group_;
        Member* member_ = nullptr;
    };

    /// A group is shared: memberships may outlive whoever created it.
    static std::shared_ptr<DrainGroup> create() { return std::shared_ptr<DrainGroup>(new DrainGroup); }

    /// `member` belongs to the group until the Membership goes. In a group already draining
    /// it is told to drain at once.
    [[nodiscard]] Membership join(Member& member);
    /// Tells every member to drain; members that join later are told as they join.
    void drain_all();
    /// Tells every member to close now.
    void abort_all();
    bool draining() const noexcept { return draining_; }
    std::size_t size() const noexcept { return members_.size(); }
    /// Done when the group has no member (at once when it has none now).
    Future<void> emptied();

private:
    DrainGroup() = default;
    void remove(Member* member) noexcept;
    /// Calls `action` on each member still in the group, whatever earlier calls removed.
    template <class Action>
    void for_each_member(Action action);

    std::unordered_set<Member*> members_;
    bool draining_ = false;
    std::optional<Promise<void>> emptied_;
};

}  // namespace squall
