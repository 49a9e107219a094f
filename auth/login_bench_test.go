//go:build unix

package auth_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkLoginOneAddress is an exam hall behind one address logging in:
// correct logins of 1,000 students at the default bcrypt cost (10, the
// --bcrypt-cost default), 32 at a time, through the throttle and the
// database. It reports logins a minute of wall time, and the CPU time a
// login costs this process (bcrypt's comparison is nearly all of it), which
// does not depend on what else the machine runs: 2 idle cores log in
// 2 × 60 s / cpu-ms-per-login students a minute.
//
//	go test ./auth -run '^$' -bench LoginOneAddress -benchtime 1000x
func BenchmarkLoginOneAddress(b *testing.B) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			clock := examhall.SystemClock{}
			db := sqltest.MustOpen(b, engine, clock)
			hash, err := bcrypt.GenerateFromPassword([]byte("hall-password"), bcrypt.DefaultCost)
			if err != nil {
				b.Fatal(err)
			}
			students := make([]*examhall.User, 1000)
			for i := range students {
				students[i] = &examhall.User{Username: fmt.Sprintf("hall%04d", i), Role: examhall.RoleStudent, IsActive: true}
			}
			if err := db.InsertStudents(ctx, students, string(hash)); err != nil {
				b.Fatal(err)
			}
			s := &auth.Service{Users: db, Failures: db, Clock: clock,
				Tokens:    auth.NewTokens([]byte("bench-secret"), time.Hour, clock),
				Passwords: &auth.Passwords{Cost: bcrypt.DefaultCost},
				Limits:    auth.LoginLimits{PerUserAddress: 5, PerUser: 20, PerAddress: 100, Window: 15 * time.Minute},
			}
			var next atomic.Int64
			b.SetParallelism(16) // 32 goroutines on 2 cores
			b.ResetTimer()
			began, cpuBefore := time.Now(), cpuTime(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					u := students[next.Add(1)%int64(len(students))]
					if _, err := s.Login(ctx, u.Username, "hall-password", "203.0.113.7"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(began).Minutes(), "logins/min")
			b.ReportMetric(float64((cpuTime(b)-cpuBefore)/time.Microsecond)/1000/float64(b.N), "cpu-ms/login")
		})
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
