#pragma once

namespace lathe::ui::test {

// The main() of a widget test that touches QSettings, recovery files or other per-user state: runs the
// GoogleTest cases in a QApplication (offscreen unless QT_QPA_PLATFORM says otherwise) whose HOME and
// XDG_CONFIG_HOME point into a throw-away folder, with QStandardPaths in test mode and the organisation
// "LatheTests". ctest runs cases in parallel processes, so a shared store would let one case's settings or
// autosave leak into another's; the user's own settings are never touched. The audio system is private too
// (test::PrivateAudioSystem): PortAudio sees only the test's own ALSA devices, never the machine's cards or
// JACK servers. Returns RUN_ALL_TESTS().
int runWithPrivateHome(int argc, char** argv, const char* applicationName);

} // namespace lathe::ui::test
