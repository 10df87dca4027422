#include "salient/analyses/farm.h"

#include <atomic>

namespace salient {

namespace {
std::atomic<UnitScheduler *> g_scheduler{nullptr};
thread_local int t_unitDepth = 0;
} // namespace

UnitScheduler::~UnitScheduler() = default;

FarmUnitGuard::FarmUnitGuard()
{
    ++t_unitDepth;
}

FarmUnitGuard::~FarmUnitGuard()
{
    --t_unitDepth;
}

void setUnitScheduler(UnitScheduler *scheduler)
{
    g_scheduler.store(scheduler);
}

bool farmingActive()
{
    return g_scheduler.load() != nullptr && t_unitDepth == 0;
}

void farmFor(const FarmLoop &loop)
{
    if (loop.n <= 0)
        return;
    if (farmingActive()) {
        g_scheduler.load()->run(loop);
        return;
    }
    parallelFor(
        loop.n,
        [&](int i) {
            FarmUnitGuard inside;
            loop.store(i, loop.compute(i));
        },
        loop.relay, loop.threads);
}

} // namespace salient
