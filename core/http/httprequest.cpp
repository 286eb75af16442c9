#include "httprequest.h"

#include <QUrlQuery>
#include <http_parser.h>

QByteArrayView HttpRequest::methodName() const
{
    return QByteArrayView(http_method_str(http_method(m_rawMethod)));
}

QByteArrayView HttpRequest::path() const
{
    const qsizetype q = m_target.indexOf('?');
    return q < 0 ? QByteArrayView(m_target) : QByteArrayView(m_target).first(q);
}

QByteArrayView HttpRequest::query() const
{
    const qsizetype q = m_target.indexOf('?');
    return q < 0 ? QByteArrayView() : QByteArrayView(m_target).sliced(q + 1);
}

QString HttpRequest::queryValue(const QString &key) const
{
    // '+' is a space in a form-encoded query (QUrlQuery leaves it as is).
    QByteArray raw = query().toByteArray();
    raw.replace('+', ' ');
    return QUrlQuery(QString::fromUtf8(raw)).queryItemValue(key, QUrl::FullyDecoded);
}

QByteArrayView HttpRequest::header(QByteArrayView name) const
{
    for (const Field &f : m_fields) {
        if (f.nameSize == name.size()
            && qstrnicmp(m_fieldBytes.constData() + f.nameAt, name.data(), name.size()) == 0)
            return QByteArrayView(m_fieldBytes.constData() + f.valueAt, f.valueSize);
    }
    return {};
}

QByteArrayView HttpRequest::headerName(int i) const
{
    const Field &f = m_fields[size_t(i)];
    return QByteArrayView(m_fieldBytes.constData() + f.nameAt, f.nameSize);
}

QByteArrayView HttpRequest::headerValue(int i) const
{
    const Field &f = m_fields[size_t(i)];
    return QByteArrayView(m_fieldBytes.constData() + f.valueAt, f.valueSize);
}
