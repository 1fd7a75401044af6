"""The one declaration of every input of the exams area, and the shapes of its API responses.

inputs     every input, declared once (the API, the page forms and Python callers share them)
responses  the API's response shapes
"""
