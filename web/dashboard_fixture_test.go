package web_test

// dashboardBundle is an institute for the dashboard's tests (SPEC §9): two
// exams, one with two sections, subjects, every difficulty and an essay;
// students who finished (graded and awaiting grading), one still running,
// and one attempt of the other exam. Its password is "pw-<username>", as
// addUser's.
const dashboardBundle = `{
  "format": "examhall-bundle/1",
  "institute": {"name": "Riverside Academy", "timezone": "Asia/Kolkata"},
  "users": [
    {"username": "root", "email": "root@example.com", "first_name": "Root", "last_name": "Admin", "role": "admin", "password": "pw-root"},
    {"username": "sam", "email": "sam@example.com", "first_name": "Sam", "last_name": "Iyer", "role": "staff", "password": "pw-sam"},
    {"username": "asha", "email": "asha@example.com", "first_name": "Asha", "last_name": "Rao", "phone": "9000000001", "role": "student", "password": "pw-asha"},
    {"username": "ravi", "email": "ravi@example.com", "first_name": "Ravi", "last_name": "Kumar", "role": "student", "password": "pw-ravi"},
    {"username": "meera", "email": "meera@example.com", "first_name": "Meera", "last_name": "Nair", "role": "student", "password": "pw-meera"},
    {"username": "kiran", "email": "kiran@example.com", "first_name": "Kiran", "last_name": "Das", "role": "student", "password": "pw-kiran"}
  ],
  "subjects": [
    {"key": "sci", "name": "Science", "parent": null},
    {"key": "phy", "name": "Physics", "parent": "sci"},
    {"key": "chem", "name": "Chemistry", "parent": "sci"}
  ],
  "exams": [
    {"slug": "mock-1", "title": "Mock Test 1", "description": "",
     "start_date": "2026-01-01T09:00:00+05:30", "end_date": null, "duration": "3:00:00",
     "pass_percentage": 40, "enable_ranks": true, "allow_retake": true, "max_retakes": null,
     "published": true, "show_score": true, "show_percentile": true,
     "sections": [
       {"name": "Part A", "duration": null, "cut_off": 0, "questions": [
         {"key": "q-001", "type": "mcq_single", "question_html": "<p>Unit of force?</p>", "subject": "phy",
          "difficulty": "easy", "marks": "4.00", "negative_marks": "1.00",
          "answers": [{"text_html": "<p>Newton</p>", "is_correct": true}, {"text_html": "<p>Joule</p>", "is_correct": false}]},
         {"key": "q-002", "type": "numerical", "question_html": "<p>g in m/s²?</p>", "subject": "chem",
          "difficulty": "medium", "marks": "4.00", "negative_marks": "0.00", "numerical_min": "9.75", "numerical_max": "9.85"}
       ]},
       {"name": "Part B", "duration": null, "cut_off": 0, "questions": [
         {"key": "q-003", "type": "essay", "question_html": "<p>Explain Newton's second law.</p>", "subject": "phy",
          "difficulty": "hard", "marks": "10.00"}
       ]}
     ]},
    {"slug": "quiz-1", "title": "Quick Quiz", "description": "",
     "start_date": "2026-01-01T09:00:00+05:30", "end_date": null, "duration": "0:30:00",
     "pass_percentage": 50, "enable_ranks": false, "allow_retake": true, "max_retakes": null,
     "published": true, "show_score": true, "show_percentile": false,
     "sections": [
       {"name": "Only", "duration": null, "cut_off": 0, "questions": [
         {"key": "q-101", "type": "true_false", "question_html": "<p>Water boils at 100 °C at sea level.</p>", "subject": "chem",
          "marks": "1.00", "answers": [{"text_html": "True", "is_correct": true}, {"text_html": "False", "is_correct": false}]}
       ]}
     ]}
  ],
  "attempts": [
    {"exam": "mock-1", "user": "asha", "started": "2026-01-02T10:00:00+05:30", "completed": "2026-01-02T11:00:00+05:30",
     "answers": [{"question": "q-001", "selected": [0], "duration": 40}, {"question": "q-002", "value": "9.8"},
                 {"question": "q-003", "essay": "Force is mass times acceleration.", "marks_awarded": "7.00"}]},
    {"exam": "mock-1", "user": "ravi", "started": "2026-01-03T10:00:00+05:30", "completed": "2026-01-03T11:00:00+05:30",
     "answers": [{"question": "q-001", "selected": [1]}, {"question": "q-002", "value": "5"},
                 {"question": "q-003", "essay": "<b>F</b> = m × a, so a heavier cart needs more push."}]},
    {"exam": "mock-1", "user": "meera", "started": "2026-01-04T10:00:00+05:30",
     "answers": [{"question": "q-001", "selected": [0]}]},
    {"exam": "mock-1", "user": "kiran", "started": "2026-01-05T10:00:00+05:30", "completed": "2026-01-05T11:00:00+05:30",
     "answers": [{"question": "q-001", "selected": [0]}, {"question": "q-002", "value": "9.8"},
                 {"question": "q-003", "essay": "It relates force and acceleration.", "marks_awarded": "3.00"}]},
    {"exam": "quiz-1", "user": "asha", "started": "2026-01-06T10:00:00+05:30", "completed": "2026-01-06T10:10:00+05:30",
     "answers": [{"question": "q-101", "selected": [0]}]}
  ]
}`
