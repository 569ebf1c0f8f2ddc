#pragma once

#include "core/render/RenderReport.h"

#include <QTableWidget>

namespace lathe::ui {

// The render's results, one row per master: file, LUFS, LRA, true peak, PLR, the limiter's most gain
// reduction and the decoded MP3's true peak; a figure off target or over the ceiling in red. A file name
// never wraps: when the column is too narrow its start is elided (the song is every row's and heads the
// report; the "_stereo_master.wav" / "_stem_master.wav" ending tells the rows apart, and an elision in the
// middle cut exactly that), the full path in its tooltip.
class RenderResultsTable : public QTableWidget {
    Q_OBJECT
public:
    explicit RenderResultsTable(QWidget* parent = nullptr);

    void setReport(const core::RenderReport& report);
    void clearResults();
    // The rows as tab-separated plain text with the full file names (for copying and tests).
    QString plainText() const;

    enum Column { File, Lufs, Lra, TruePeak, Plr, MaxGr, Mp3Tp, ColumnCount };

private:
    void fitHeight();
};

} // namespace lathe::ui
