#pragma once

#include "load/clientrecord.h"
#include "load/loadsettings.h"

#include <QList>

// Runs a load generator with these settings to the end (or the timeout, with a warning) and
// returns its records; empty when it did not start.
QList<ClientRecord> runLoad(const LoadSettings &settings, int timeoutMs = 60000);
