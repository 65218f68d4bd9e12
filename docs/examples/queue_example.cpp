// The locks-and-queues example of docs/ioloop.md: a producer fills a bounded Queue, three
// workers take jobs from it, a Semaphore lets two of them into a "critical" step at a time,
// and join() waits until every job is done. Built and run by the tests.
#include <cstdio>
#include <string>
#include <vector>

#include <squall/gen.h>
#include <squall/locks.h>
#include <squall/queues.h>

using namespace std::chrono_literals;
using squall::Future;

Future<void> worker(int id, squall::Queue<int>& jobs, squall::Semaphore& slots, std::vector<std::string>& done) {
    while (true) {
        int job = co_await jobs.get();  // waits while the queue is empty
        {
            auto slot = co_await slots.acquire();  // at most two workers in here at once
            co_await squall::sleep(1ms);           // the work
            done.push_back("job " + std::to_string(job) + " by worker " + std::to_string(id));
        }  // the slot is released here
        jobs.task_done();
    }
}

Future<void> run(squall::Queue<int>& jobs, squall::Semaphore& slots, std::vector<std::string>& done) {
    for (int id = 0; id < 3; ++id) squall::IOLoop::current().spawn_callback([&, id] { worker(id, jobs, slots, done); });
    for (int job = 0; job < 10; ++job) co_await jobs.put(job);  // waits while the queue is full
    co_await jobs.join(5s);  // every job taken and marked done (TimeoutError after 5 s)
}

int main() {
    squall::IOLoop loop;
    loop.make_current();
    std::vector<std::string> done;  // first, so it outlives the workers still waiting on `jobs`
    squall::Queue<int> jobs(2);     // at most two jobs waiting
    squall::Semaphore slots(2);
    loop.run_sync([&] { return run(jobs, slots, done); }, 10s);
    for (const auto& line : done) std::printf("%s\n", line.c_str());
    return done.size() == 10 ? 0 : 1;
}
