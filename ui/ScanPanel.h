#pragma once

#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace lathe::ui {

class SessionDocument;

// What the folder scan found: every file with what Lathe takes it for (mix, reference, or a stem's role,
// which the engineer can correct), its format, files ignored, and every problem in full sentences naming the
// file.
class ScanPanel : public QWidget {
    Q_OBJECT
public:
    explicit ScanPanel(SessionDocument* document, QWidget* parent = nullptr);

    QTableWidget* table() const { return table_; }
    // The role a stem row shows (a session role name such as "lead_vocal"); empty if no such stem.
    QString roleShownFor(const QString& stemId) const;
    // Problems as listed, one per entry ("<file>: <problem>").
    QStringList problemsShown() const { return problems_; }

    static QString roleLabel(const QString& roleName); // "lead_vocal" -> "Lead vocal"

    // A folder that could not be opened: the panel says so and lists why (each file and its problem), in
    // place of what it showed for the song still open, until the next open.
    void showOpenFailure(const QString& path, const QString& error, const QStringList& problems);
    QString problemsText() const; // what the problems area shows, as plain text

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void syncRoles();

    SessionDocument* document_;
    QLabel* summary_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* problemsLabel_ = nullptr;
    QStringList problems_;
    QTimer rowHeights_; // wrapped names: rows are re-measured once the column widths have settled
};

} // namespace lathe::ui
