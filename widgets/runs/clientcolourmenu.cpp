#include "clientcolourmenu.h"

#include "timeline/timelineview.h"

#include <QActionGroup>
#include <QCoreApplication>
#include <QMenu>

namespace {
class ClientColourMenu
{
    Q_DECLARE_TR_FUNCTIONS(ClientColourMenu)
public:
    static QMenu *make(TimelineView *requests, QWidget *parent)
    {
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
            QObject::connect(a, &QAction::triggered, requests,
                             [requests, key = key] { requests->setClientColourKey(key); });
        }
        return menu;
    }
};
} // namespace

QMenu *makeClientColourMenu(TimelineView *requests, QWidget *parent)
{
    return ClientColourMenu::make(requests, parent);
}
