package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// BenchmarkRank reads one attempt's rank and percentile in an exam whose
// rank population holds 1,000 and 1,000,000 attempts. The score counts are
// seeded as that many completions would leave them: a 50-question exam (4
// marks, -1 negative) with normally spread scores.
//
//	go test ./sqlstore -run '^$' -bench Rank -count 5
func BenchmarkRank(b *testing.B) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		for _, n := range []int{1_000, 1_000_000} {
			b.Run(fmt.Sprintf("%s/attempts=%d", engine, n), func(b *testing.B) {
				db, dsn := sqltest.MustOpenDSN(b, engine, examhall.SystemClock{})
				exam := sampleExam(0, 0)
				if err := db.CreateExam(context.Background(), exam); err != nil {
					b.Fatal(err)
				}
				seedScores(b, engine, dsn, exam.ID, n)
				a := &examhall.Attempt{ExamID: exam.ID, State: examhall.AttemptCompleted, Score: decimal.FromInt(80)}
				b.ResetTimer()
				for b.Loop() {
					if _, population, _, ok, err := db.Rank(context.Background(), a); err != nil || !ok || population != n {
						b.Fatalf("rank: population %d, %v, %v", population, ok, err)
					}
				}
			})
		}
	}
}

// seedScores writes the score counts of n completed attempts.
func seedScores(b *testing.B, engine sqlstore.Engine, dsn string, examID int64, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, uint64(n)))
	counts := map[int64]int{}
	for range n {
		score := math.Round(r.NormFloat64()*35 + 80)
		counts[int64(max(-50, min(200, score)))*100]++
	}
	driver := "sqlite"
	if engine == sqlstore.Postgres {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	for score, count := range counts {
		if _, err := raw.Exec(`INSERT INTO exam_score_counts (exam_id, score_h, attempts) VALUES ($1, $2, $3)`,
			examID, score, count); err != nil {
			b.Fatal(err)
		}
	}
}
