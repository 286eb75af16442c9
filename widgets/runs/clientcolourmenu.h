#pragma once

class QMenu;
class QWidget;
class TimelineView;

// View > Colour requests by: phase, or who sent them (client address, User-Agent,
// X-LoopScope-User, its group such as a Locust worker), for the request view (issue #23). The
// choice is saved in the settings and applied to `requests` at once.
QMenu *makeClientColourMenu(TimelineView *requests, QWidget *parent);
