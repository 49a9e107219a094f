// exams.js — the student's exams (built by the exam-room work).
