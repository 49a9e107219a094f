package main

import (
	"io"
	"testing"
	"time"

	"github.com/examhall/examhall"
)

func TestWebhookFlags(t *testing.T) {
	env := map[string]string{"EXAMHALL_EXAM_WEBHOOK_URL": "https://crm.example.com/hook", "EXAMHALL_WEBHOOK_PRIVATE_KEY": "k"}
	c, err := ParseConfig([]string{"serve", "--webhook-events", "completed,graded", "--webhook-backoff-min", "1s"},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExamWebhookURL != "https://crm.example.com/hook" || c.WebhookPrivateKey != "k" || c.WebhookBackoffMin != time.Second ||
		c.WebhookTimeout != 10*time.Second || c.WebhookBackoffMax != time.Hour || c.WebhookGiveUpAfter != 72*time.Hour ||
		c.WebhookRetention != 720*time.Hour || len(c.WebhookEvents) != 2 || !c.WebhookEvents[examhall.EventExamGraded] {
		t.Errorf("config = %+v", c)
	}
	for _, args := range [][]string{
		{"serve", "--exam-webhook-url", "ftp://crm.example.com/hook"},
		{"serve", "--content-webhook-url", "crm.example.com"},
		{"serve", "--webhook-events", "started,finished"},
		{"serve", "--webhook-timeout", "0s"},
	} {
		if _, err := ParseConfig(args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
