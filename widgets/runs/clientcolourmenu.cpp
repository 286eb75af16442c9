#include "clientcolourmenu.h"

#include "timelineview/timelineview.h"

#include <QActionGroup>
#include <QCoreApplication>
#include <QMenu>
#include <QSettings>

namespace {
class ClientColourMenu
{
    Q_DECLARE_TR_FUNCTIONS(ClientColourMenu)
public:
    static QMenu *make(TimelineView *requests, QWidget *parent)
    {
        // The choice is kept across sessions, like the language.
        const QString setting = QStringLiteral("view/colourRequestsBy");
        const int saved = QSettings().value(setting, 0).toInt();
        if (saved > 0 && saved <= int(ClientColours::Key::LoopscopeUserGroup))
            requests->setClientColourKey(ClientColours::Key(saved));
        auto *menu = new QMenu(tr("Colour requests by"), parent);
        auto *group = new QActionGroup(menu);
        const std::pair<ClientColours::Key, QString> choices[] = {
            { ClientColours::Key::None, tr("Phase") },
            { ClientColours::Key::Address, tr("Client address") },
            { ClientColours::Key::UserAgent, tr("User-Agent") },
            { ClientColours::Key::LoopscopeUser, tr("X-LoopScope-User (each user)") },
            { ClientColours::Key::LoopscopeUserGroup, tr("X-LoopScope-User group (e.g. Locust worker)") },
        };
        for (const auto &[key, text] : choices) {
            QAction *a = menu->addAction(text);
            a->setCheckable(true);
            a->setChecked(requests->clientColourKey() == key);
            group->addAction(a);
            QObject::connect(a, &QAction::triggered, requests, [requests, key = key, setting] {
                requests->setClientColourKey(key);
                QSettings().setValue(setting, int(key));
            });
        }
        return menu;
    }
};
} // namespace

QMenu *makeClientColourMenu(TimelineView *requests, QWidget *parent)
{
    return ClientColourMenu::make(requests, parent);
}
