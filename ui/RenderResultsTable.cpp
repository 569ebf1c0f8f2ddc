#include "RenderResultsTable.h"

#include <QDir>
#include <QFileInfo>
#include <QHeaderView>

namespace lathe::ui {

namespace {

QTableWidgetItem* figure(double value, const char* unit, bool bad) {
    auto* item = new QTableWidgetItem(QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(unit)));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (bad) item->setForeground(QColor(0xff, 0x6b, 0x6b));
    return item;
}

} // namespace

RenderResultsTable::RenderResultsTable(QWidget* parent) : QTableWidget(0, ColumnCount, parent) {
    setObjectName(QStringLiteral("renderResults"));
    setHorizontalHeaderLabels(
        {tr("File"), tr("LUFS"), tr("LRA"), tr("True peak"), tr("PLR"), tr("Max GR"), tr("MP3 TP")});
    horizontalHeaderItem(File)->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    verticalHeader()->hide();
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setWordWrap(false);
    setTextElideMode(Qt::ElideLeft);
    setShowGrid(false);
    setAlternatingRowColors(true);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizeAdjustPolicy(QAbstractScrollArea::AdjustIgnored);
    // The figures take what they need; the file name takes the rest and is elided rather than wrapped.
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(File, QHeaderView::Stretch);
    horizontalHeader()->setMinimumSectionSize(40);
    // Room for the ending that tells the masters apart beside the figures.
    setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral(
                        "\u2026_stereo_master.wav -14.0 LUFS 10.0 LU -1.0 dBTP 13.0 dB 10.0 dB -1.0 dBTP")) +
                    ColumnCount * 12);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    fitHeight();
}

void RenderResultsTable::setReport(const core::RenderReport& report) {
    setRowCount(0);
    for (const core::DeliverableReport& d : report.deliverables) {
        const int row = rowCount();
        insertRow(row);
        const QString path = QString::fromStdString(d.wavPath);
        auto* file = new QTableWidgetItem(QFileInfo(path).fileName());
        file->setToolTip(QDir::toNativeSeparators(path));
        setItem(row, File, file);
        setItem(row, Lufs, figure(d.integratedLufs, "LUFS", !d.meetsTarget));
        setItem(row, Lra, figure(d.loudnessRangeLu, "LU", false));
        setItem(row, TruePeak, figure(d.truePeakDbtp, "dBTP", !d.withinCeiling));
        setItem(row, Plr, figure(d.plrDb, "dB", false));
        setItem(row, MaxGr, figure(d.maxGainReductionDb, "dB", false));
        if (d.mp3TruePeakDbtp) {
            setItem(row, Mp3Tp, figure(*d.mp3TruePeakDbtp, "dBTP", d.mp3ExceedsCeiling));
        } else {
            auto* none = new QTableWidgetItem(QStringLiteral("\u2013"));
            none->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            setItem(row, Mp3Tp, none);
        }
    }
    fitHeight();
}

void RenderResultsTable::clearResults() {
    setRowCount(0);
    fitHeight();
}

QString RenderResultsTable::plainText() const {
    QStringList lines;
    for (int row = 0; row < rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < columnCount(); ++column)
            cells << (item(row, column) ? item(row, column)->text() : QString());
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n'));
}

void RenderResultsTable::fitHeight() {
    // Every row shows without a scroll bar: a render makes one to three masters.
    int height = horizontalHeader()->sizeHint().height() + 2 * frameWidth();
    for (int row = 0; row < std::max(1, rowCount()); ++row)
        height += rowCount() > 0 ? rowHeight(row) : verticalHeader()->defaultSectionSize();
    setFixedHeight(height);
}

} // namespace lathe::ui
