// DrainGroup: members joined and left, and told to drain or close. Internal.
#include "squall/drain_group.h"

#include <vector>

namespace squall {

DrainGroup::Membership::Membership(Membership&& other) noexcept
    : group_(std::move(other.group_)), member_(std::exchange(other.member_, nullptr)) {}

DrainGroup::Membership& DrainGroup::Membership::operator=(Membership&& other) noexcept {
    if (this != &other) {
        leave();
        group_ = std::move(other.group_);
        member_ = std::exchange(other.member_, nullptr);
    }
    return *this;
}

void DrainGroup::Membership::leave() noexcept {
    if (!member_) return;
    if (auto group = group_.lock()) group->remove(member_);
    member_ = nullptr;
    group_.reset();
}

DrainGroup::Membership DrainGroup::join(Member& member) {
    members_.insert(&member);
    Membership membership(weak_from_this(), &member);
    if (draining_) member.drain();
    return membership;
}

void DrainGroup::remove(Member* member) noexcept {
    members_.erase(member);
    if (members_.empty() && emptied_) take_promise(emptied_).set_result();
}

template <class Action>
void DrainGroup::for_each_member(Action action) {
    // A member's close may end other members (or itself) before their turn.
    std::vector<Member*> snapshot(members_.begin(), members_.end());
    auto keep = shared_from_this();  // a member's close may drop the group's last owner
    for (Member* m : snapshot)
        if (members_.count(m)) action(*m);
}

void DrainGroup::drain_all() {
    draining_ = true;
    for_each_member([](Member& m) { m.drain(); });
}

void DrainGroup::abort_all() {
    for_each_member([](Member& m) { m.abort(); });
}

Future<void> DrainGroup::emptied() {
    if (members_.empty()) return make_ready_future();
    if (!emptied_) emptied_.emplace();
    return emptied_->get_future();
}

}  // namespace squall
