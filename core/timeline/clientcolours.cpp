#include "clientcolours.h"

namespace {

// Qualitative colours that stay apart on the dark and the light background (Tableau 10 and
// two more); grey is kept for "others".
const quint32 kPalette[ClientColours::Named] = { 0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948,
                                                 0xb07aa1, 0xff9da7, 0x9c755f, 0x2f9fd8, 0x8cd17d, 0xd37295 };

} // namespace

void ClientColours::setKey(Key key)
{
    m_key = key;
    m_index.clear();
    m_order.clear();
}

QString ClientColours::valueOf(const RequestRecord &r, Key key)
{
    switch (key) {
    case Key::None:
        return {};
    case Key::Address:
        return r.clientAddressText();
    case Key::UserAgent:
        return r.userAgentText();
    case Key::LoopscopeUser:
        return r.loopscopeUserText();
    case Key::LoopscopeUserGroup: {
        const QString user = r.loopscopeUserText();
        const qsizetype dash = user.lastIndexOf(QLatin1Char('-'));
        return dash > 0 ? user.left(dash) : user;
    }
    }
    return {};
}

quint32 ClientColours::colourOf(const RequestRecord &record)
{
    const QString value = valueOf(record, m_key);
    auto it = m_index.constFind(value);
    if (it == m_index.constEnd()) {
        it = m_index.insert(value, int(m_order.size()));
        m_order.append(value);
    }
    return *it < Named ? kPalette[*it] : othersColour();
}

QList<QPair<QString, quint32>> ClientColours::legend() const
{
    QList<QPair<QString, quint32>> out;
    for (int i = 0; i < std::min<int>(Named, int(m_order.size())); ++i)
        out.append({ m_order[i], kPalette[i] });
    return out;
}
