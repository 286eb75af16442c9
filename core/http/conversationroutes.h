#pragma once

#include <QByteArray>
#include <QStringList>
#include <QUrlQuery>

class HistoryQueries;
class ResponseChannel;

// The /v1/conversations routes, whatever connection layer carried the request:
//   GET    /v1/conversations?user_id=U                    list (with each one's settings)
//   POST   /v1/conversations {user_id, title, settings}   create
//   GET    /v1/conversations/search?q=TEXT&user_id=U      titles and messages containing TEXT
//   GET    /v1/conversations/ID                           one conversation
//   GET    /v1/conversations/ID/messages                  messages (alternatives included)
//   PATCH  /v1/conversations/ID {title, settings}         rename, change the settings
//   PATCH  /v1/conversations/ID/messages/MID {active: true}  show this alternative answer
//   DELETE /v1/conversations/ID                           delete
// Small indexed queries (SQLite, or PostgreSQL on a pooled connection): they run inline on the
// loop in every mode.
namespace ConversationRoutes {

// `parts`: the path split on '/', starting with "v1", "conversations".
void handle(const QByteArray &method, const QStringList &parts, const QUrlQuery &query,
            const QByteArray &body, HistoryQueries *store, ResponseChannel &channel);

} // namespace ConversationRoutes
