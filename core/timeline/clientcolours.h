#pragma once

#include "trace/requestrecord.h"

#include <QHash>
#include <QList>
#include <QString>

// The request view coloured by who sent each request instead of by phase (issue #23): a key
// (the client's address, its User-Agent, its X-LoopScope-User, or that header's group: the part
// before its last '-', e.g. a Locust worker "locust-w1" of "locust-w1-u7") and a colour per
// distinct value, first come first served, so a value keeps its colour while the view redraws.
class ClientColours
{
public:
    enum class Key : quint8 { None, Address, UserAgent, LoopscopeUser, LoopscopeUserGroup };
    static constexpr int Named = 12; // values with a colour of their own; later ones share "others"

    void setKey(Key key);
    Key key() const { return m_key; }
    // The value of `key` for this request ("" when the request did not say).
    static QString valueOf(const RequestRecord &record, Key key);
    // The colour (0xRRGGBB) for this request's value; assigns the next one to a new value.
    quint32 colourOf(const RequestRecord &record);
    // The values seen so far with their colours, in order of first appearance (at most Named),
    // and how many more share the "others" colour.
    QList<QPair<QString, quint32>> legend() const;
    int othersCount() const { return int(m_order.size()) - std::min<int>(int(m_order.size()), Named); }
    static quint32 othersColour() { return 0x9e9e9e; }

private:
    Key m_key = Key::None;
    QHash<QString, int> m_index;
    QStringList m_order;
};
