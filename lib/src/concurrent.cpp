// The shared state behind Future/Promise: callbacks, completion and the unrolling of deep
// completion chains. Internal. Models tornado/concurrent.py (4.0) Future._set_done, plus 4.1's
// logging of a failed Future whose exception nobody read.
#include "squall/concurrent.h"

#include "squall/log.h"

namespace squall::detail {
namespace {

// Past this depth of completions nested inside completions, callbacks wait in a per-thread queue
// that the outermost completion drains, so a chain of a million Futures uses a bounded stack.
constexpr int kMaxCompletionDepth = 32;

struct CompletionQueue {
    int depth = 0;
    std::size_t head = 0;
    std::vector<StateBase*> deferred;
};

thread_local CompletionQueue t_queue;

}  // namespace

std::string describe_exception(const std::exception_ptr& e) {
    if (!e) return "no exception";
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "unknown exception (not derived from std::exception)";
    }
}

StateBase::~StateBase() {
    if (exception_ && !retrieved_) {
        app_log().logf(LogLevel::error, "Future exception was never retrieved: %s",
                       describe_exception(exception_).c_str());
    }
}

void StateBase::release_promise() noexcept {
    if (--promises_ != 0 || done_) return;
    add_ref();
    if (!has_outcome_) {
        has_outcome_ = true;
        exception_ = std::make_exception_ptr(BrokenPromise());
        // Nobody chose this failure, so it is not worth a "never retrieved" log line.
        retrieved_ = true;
    }
    complete();
    release();
}

void StateBase::add_callback(Callback cb) {
    if (done_) {
        cb(*this);
        return;
    }
    if (!first_)
        first_ = std::move(cb);
    else {
        if (!more_) more_ = std::make_unique<std::vector<Callback>>();
        more_->push_back(std::move(cb));
    }
}

void StateBase::store_exception(std::exception_ptr e) {
    mark_outcome();
    exception_ = std::move(e);
}

void StateBase::complete() noexcept {
    if (done_) return;
    done_ = true;
    if (!first_) return;
    auto& q = t_queue;
    add_ref();
    if (q.depth >= kMaxCompletionDepth) {
        q.deferred.push_back(this);
        return;
    }
    ++q.depth;
    run_callbacks();
    --q.depth;
    if (q.depth == 0 && !q.deferred.empty()) {
        ++q.depth;
        while (q.head < q.deferred.size()) {
            StateBase* s = q.deferred[q.head++];
            s->run_callbacks();
            s->release();
        }
        q.deferred.clear();
        q.head = 0;
        --q.depth;
    }
    release();
}

void StateBase::run_callbacks() noexcept {
    Callback first = std::move(first_);
    std::unique_ptr<std::vector<Callback>> more = std::move(more_);
    auto run = [this](Callback& cb) {
        try {
            cb(*this);
        } catch (...) {
            app_log().logf(LogLevel::error, "Exception in callback for Future: %s",
                           describe_exception(std::current_exception()).c_str());
        }
    };
    if (first) run(first);
    if (more)
        for (auto& cb : *more) run(cb);
}

}  // namespace squall::detail
