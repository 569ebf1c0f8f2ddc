#include "ScanPanel.h"

#include "SessionDocument.h"

#include "core/model/StemRole.h"

#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QStyle>
#include <QTableWidget>
#include <QTextDocument>
#include <QVBoxLayout>

namespace lathe::ui {

namespace {

constexpr core::StemRole kRoles[] = {
    core::StemRole::Drums,         core::StemRole::Bass, core::StemRole::Music, core::StemRole::LeadVocal,
    core::StemRole::BackingVocals, core::StemRole::Fx,   core::StemRole::Other};

QString formatOf(const core::AudioFileInfo& info) {
    if (info.sampleRate == 0) return {};
    const QString depth = info.lossy ? QString::fromStdString(info.container).toUpper()
                                     : (info.isFloat ? QStringLiteral("%1-bit float").arg(info.bitDepth)
                                                     : QStringLiteral("%1-bit").arg(info.bitDepth));
    return QStringLiteral("%1 %2k%3")
        .arg(depth)
        .arg(info.sampleRate / 1000.0, 0, 'g', 4)
        .arg(info.channels == 1 ? QStringLiteral(" mono") : QString());
}

const core::ScannedFile* scannedFile(const SessionDocument* document, const std::string& path) {
    const auto& scan = document->scan();
    if (!scan) return nullptr;
    for (const auto& stem : scan->stems)
        if (stem.path == path) return &stem;
    if (scan->mix && scan->mix->path == path) return &*scan->mix;
    if (scan->reference && scan->reference->path == path) return &*scan->reference;
    return nullptr;
}

QString relativeName(const SessionDocument* document, const std::string& path) {
    const QString folder = QString::fromStdString(document->session().folder);
    const QString full = QString::fromStdString(path);
    if (!folder.isEmpty() && full.startsWith(folder + QLatin1Char('/'))) return full.mid(folder.size() + 1);
    return QFileInfo(full).fileName();
}

enum Column { FileColumn, RoleColumn, FormatColumn, ColumnCount };

} // namespace

QString ScanPanel::roleLabel(const QString& roleName) {
    QString label = roleName;
    label.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (!label.isEmpty()) label[0] = label[0].toUpper();
    return label;
}

ScanPanel::ScanPanel(SessionDocument* document, QWidget* parent) : QWidget(parent), document_(document) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    summary_ = new QLabel(this);
    summary_->setWordWrap(true);
    layout->addWidget(summary_);

    table_ = new QTableWidget(0, ColumnCount, this);
    table_->setHorizontalHeaderLabels({tr("File"), tr("Used as"), tr("Format")});
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(FileColumn, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(RoleColumn, QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(FormatColumn, QHeaderView::ResizeToContents);
    // The panel is narrow; the format (also in each file's tooltip) gives way to the names.
    table_->setColumnHidden(FormatColumn, true);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Names wrap at their spaces ("Demo Song - Rough Master REF.wav" on two lines) rather than being cut to
    // "Demo….wav", which made the mix and the reference look alike; a name with no space left to break at is
    // elided in the middle, keeping the extension. The full path is in each row's tooltip.
    table_->setWordWrap(true);
    table_->setTextElideMode(Qt::ElideMiddle);
    table_->horizontalHeader()->setMinimumSectionSize(60);
    rowHeights_.setSingleShot(true);
    rowHeights_.setInterval(0);
    connect(&rowHeights_, &QTimer::timeout, table_, [this] { table_->resizeRowsToContents(); });
    connect(table_->horizontalHeader(), &QHeaderView::sectionResized, &rowHeights_,
            qOverload<>(&QTimer::start));
    table_->viewport()->installEventFilter(this);
    layout->addWidget(table_, 1);

    problemsLabel_ = new QLabel(this);
    problemsLabel_->setObjectName(QStringLiteral("problemText"));
    problemsLabel_->setWordWrap(true);
    problemsLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(problemsLabel_);

    connect(document_, &SessionDocument::opened, this, &ScanPanel::rebuild);
    connect(document_, &SessionDocument::closed, this, &ScanPanel::rebuild);
    connect(document_, &SessionDocument::sessionChanged, this, &ScanPanel::syncRoles);
    rebuild();
}

void ScanPanel::rebuild() {
    table_->setRowCount(0);
    problems_.clear();
    if (!document_->isOpen()) {
        summary_->setText(tr("No folder open."));
        problemsLabel_->clear();
        return;
    }
    const core::Session& session = document_->session();
    auto addRow = [this](const QString& name, const QString& tooltip, QWidget* roleWidget,
                         const QString& roleText, const QString& format) {
        const int row = table_->rowCount();
        table_->insertRow(row);
        auto* item = new QTableWidgetItem(name);
        item->setToolTip(format.isEmpty() ? tooltip : tooltip + QLatin1Char('\n') + format);
        table_->setItem(row, FileColumn, item);
        if (roleWidget)
            table_->setCellWidget(row, RoleColumn, roleWidget);
        else
            table_->setItem(row, RoleColumn, new QTableWidgetItem(roleText));
        table_->setItem(row, FormatColumn, new QTableWidgetItem(format));
        return row;
    };
    auto formatFor = [this](const std::string& path) {
        const core::ScannedFile* file = scannedFile(document_, path);
        return file ? formatOf(file->info) : QString();
    };

    if (!session.mix.empty())
        addRow(relativeName(document_, session.mix), QString::fromStdString(session.mix), nullptr, tr("Mix"),
               formatFor(session.mix));
    if (!session.reference.empty())
        addRow(relativeName(document_, session.reference),
               QString::fromStdString(session.reference) + tr("\nReference: for comparison, never processed"),
               nullptr, tr("Reference"), formatFor(session.reference));

    for (std::size_t i = 0; i < session.stems.size(); ++i) {
        const core::StemSettings& stem = session.stems[i];
        auto* combo = new QComboBox;
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        combo->setObjectName(QStringLiteral("role_") + QString::fromStdString(stem.id));
        for (core::StemRole role : kRoles) {
            const QString name = QString::fromUtf8(core::stemRoleName(role));
            combo->addItem(roleLabel(name), name);
        }
        const core::ScannedFile* file = scannedFile(document_, stem.path);
        QString tooltip = QString::fromStdString(stem.path);
        if (file && !file->roleRecognised)
            tooltip += tr("\nThe name did not say what this stem is; pick its role.");
        combo->setToolTip(tooltip);
        bindText(
            document_, combo, [i](core::Session& s) -> std::string& { return s.stems[i].role; },
            tr("Set role of %1").arg(QString::fromStdString(stem.id)));
        const int row = addRow(relativeName(document_, stem.path), tooltip, combo, {}, formatFor(stem.path));
        if (file && !file->roleRecognised)
            table_->item(row, FileColumn)->setForeground(QColor(0xe6, 0xc8, 0x3a));
    }

    const auto& scan = document_->scan();
    if (scan) {
        for (const auto& ignored : scan->ignored) {
            const int row = addRow(relativeName(document_, ignored), QString::fromStdString(ignored), nullptr,
                                   tr("Ignored (not audio)"), {});
            for (int c = 0; c < ColumnCount; ++c)
                if (auto* item = table_->item(row, c)) item->setForeground(QColor(0x8f, 0x95, 0x9e));
        }
        for (const auto& skipped : scan->skipped) {
            const int row = addRow(relativeName(document_, skipped.path),
                                   QString::fromStdString(skipped.path + "\n" + skipped.reason), nullptr,
                                   tr("Skipped"), {});
            for (int c = 0; c < ColumnCount; ++c)
                if (auto* item = table_->item(row, c)) item->setForeground(QColor(0x8f, 0x95, 0x9e));
        }
        for (const auto& problem : scan->problems) {
            const QString name = relativeName(document_, problem.path);
            problems_ << QStringLiteral("%1: %2").arg(name, QString::fromStdString(problem.problem));
            const int row = addRow(name, QString::fromStdString(problem.path), nullptr, tr("Not used"), {});
            for (int c = 0; c < ColumnCount; ++c)
                if (auto* item = table_->item(row, c)) item->setForeground(QColor(0xe5, 0x4d, 0x42));
        }
    }

    rowHeights_.start();
    summary_->setText(tr("<b>%1</b> — %2 stems%3%4 · session at %5 kHz")
                          .arg(QString::fromStdString(session.song).toHtmlEscaped())
                          .arg(session.stems.size())
                          .arg(session.mix.empty() ? tr(", no mix") : tr(", mix"))
                          .arg(session.reference.empty() ? QString() : tr(", reference"))
                          .arg(session.sample_rate / 1000.0, 0, 'g', 4));
    if (problems_.isEmpty()) {
        problemsLabel_->setText(scan ? tr("No problems found.")
                                     : tr("The folder could not be scanned again."));
        problemsLabel_->setObjectName(QStringLiteral("dimLabel"));
    } else {
        QString html = (problems_.size() == 1 ? tr("<b>1 file cannot be used:</b>")
                                              : tr("<b>%1 files cannot be used:</b>").arg(problems_.size())) +
                       QStringLiteral("<ul style='margin-left:-20px'>");
        for (const QString& p : problems_)
            html += QStringLiteral("<li>") + p.toHtmlEscaped() + QStringLiteral("</li>");
        problemsLabel_->setText(html + QStringLiteral("</ul>"));
        problemsLabel_->setObjectName(QStringLiteral("problemText"));
    }
    problemsLabel_->style()->unpolish(problemsLabel_);
    problemsLabel_->style()->polish(problemsLabel_);
}

void ScanPanel::syncRoles() {
    // bindText keeps each combo in step with the session; only a changed stem list needs new rows.
    if (!document_->isOpen()) return;
    int stemRows = 0;
    for (int row = 0; row < table_->rowCount(); ++row)
        if (table_->cellWidget(row, RoleColumn)) ++stemRows;
    if (stemRows != static_cast<int>(document_->session().stems.size())) rebuild();
}

bool ScanPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == table_->viewport() && event->type() == QEvent::Resize) rowHeights_.start();
    return QWidget::eventFilter(watched, event);
}

void ScanPanel::showOpenFailure(const QString& path, const QString& error, const QStringList& problems) {
    problems_ = problems;
    QString html = tr("<b>Could not open %1</b>").arg(QDir::toNativeSeparators(path).toHtmlEscaped());
    if (problems.isEmpty()) {
        html += QStringLiteral("<p>%1</p>").arg(error.toHtmlEscaped());
    } else {
        html += problems.size() == 1 ? tr("<br>1 file cannot be used:")
                                     : tr("<br>%1 files cannot be used:").arg(problems.size());
        html += QStringLiteral("<ul style='margin-left:-20px'>");
        for (const QString& p : problems)
            html += QStringLiteral("<li>") + p.toHtmlEscaped() + QStringLiteral("</li>");
        html += QStringLiteral("</ul>");
    }
    if (document_->isOpen())
        html += tr("<p>Still open: %1.</p>")
                    .arg(QString::fromStdString(document_->session().song).toHtmlEscaped());
    problemsLabel_->setText(html);
    problemsLabel_->setObjectName(QStringLiteral("problemText"));
    problemsLabel_->style()->unpolish(problemsLabel_);
    problemsLabel_->style()->polish(problemsLabel_);
}

QString ScanPanel::problemsText() const {
    QTextDocument doc;
    doc.setHtml(problemsLabel_->text());
    return doc.toPlainText();
}

QString ScanPanel::roleShownFor(const QString& stemId) const {
    auto* combo = findChild<QComboBox*>(QStringLiteral("role_") + stemId);
    return combo ? combo->currentData().toString() : QString();
}

} // namespace lathe::ui
