#pragma once

#include <memory>

class TimelineData;
class TraceRecorder;
struct VariantResult;

// Where the trace model's records come from. The views read TimelineData (through
// RequestRowModel and ThreadLaneModel) and never ask which source filled it, so a new source
// needs no widget change. Today's sources:
// - RecorderSource: the live, in-process TraceRecorder. Observed outside services (OTLP) publish
//   their requests into the same recorder and register their lanes with
//   ThreadRegistry::registerLane(name, LaneKind::Service), so they arrive through this source too;
// - SavedRunSource: one variant of a saved or finished run (run.json), with its own lane names
//   and kinds.
class TraceSource
{
public:
    virtual ~TraceSource() = default;
    // Brings `data` up to date with the source: appends new records, refreshes changed ones.
    // Returns true if anything changed.
    virtual bool pull(TimelineData &data) = 0;
};

class RecorderSource final : public TraceSource
{
public:
    explicit RecorderSource(const TraceRecorder *recorder)
        : m_recorder(recorder)
    { }
    bool pull(TimelineData &data) override;

private:
    const TraceRecorder *m_recorder;
};

class SavedRunSource final : public TraceSource
{
public:
    // Keeps a pointer: `variant` must outlive the source.
    explicit SavedRunSource(const VariantResult *variant)
        : m_variant(variant)
    { }
    // The first pull replaces `data` with the run's requests and the other traffic (muted), in
    // one arrival order, with the client's send times joined; later pulls change nothing.
    bool pull(TimelineData &data) override;

private:
    const VariantResult *m_variant;
    bool m_done = false;
};
