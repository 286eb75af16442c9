#pragma once

// Starts the desktop window (QApplication); `identify` sets the organisation and app names.
int runGui(int argc, char *argv[], void (*identify)());
