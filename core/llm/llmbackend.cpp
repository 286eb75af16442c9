#include "llmbackend.h"

LlmBackend::~LlmBackend() = default;

QString llmErrorName(LlmReply::Error error)
{
    switch (error) {
    case LlmReply::Error::None:
        return QStringLiteral("none");
    case LlmReply::Error::Cancelled:
        return QStringLiteral("cancelled");
    case LlmReply::Error::Timeout:
        return QStringLiteral("timeout");
    case LlmReply::Error::Unauthorized:
        return QStringLiteral("unauthorized");
    case LlmReply::Error::RateLimited:
        return QStringLiteral("rate_limited");
    case LlmReply::Error::Upstream:
        return QStringLiteral("upstream_error");
    case LlmReply::Error::Network:
        return QStringLiteral("network_error");
    case LlmReply::Error::BadRequest:
        return QStringLiteral("bad_request");
    }
    return {};
}
