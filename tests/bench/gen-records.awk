# gen-records.awk - N synthetic Vietnamese bibliographic records as .mrk
# (convert to ISO 2709 with `bienmuc convert -f mrk`). Deterministic.
# usage: awk -v n=100000 [-v start=1] -f gen-records.awk > out.mrk
function pick(arr, k) { return arr[(k % arr["n"]) + 1] }
function isbn(i,   s, d, sum, j) {
	s = sprintf("97912%07d", i % 10000000)
	sum = 0
	for (j = 1; j <= 12; j++) { d = substr(s, j, 1) + 0; sum += (j % 2 ? d : 3 * d) }
	return s ((10 - sum % 10) % 10)
}
function load(arr, str,   k) { arr["n"] = split(str, tmp, "|"); for (k = 1; k <= arr["n"]; k++) arr[k] = tmp[k] }
BEGIN {
	if (!n) n = 1000
	if (!start) start = 1
	load(sur, "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Đào|Đoàn|Vương|Trịnh")
	load(mid, "Văn|Thị|Hữu|Đức|Minh|Ngọc|Thanh|Quang|Xuân|Thu|Hồng|Tất|Duy|Kim|Bảo")
	load(giv, "An|Bình|Cường|Dũng|Giang|Hà|Hải|Hương|Khánh|Lan|Long|Mai|Nam|Phong|Quân|Sơn|Tâm|Thảo|Tố|Tuấn|Việt|Yến|Anh|Đạt|Ánh")
	load(w1, "Lịch sử|Văn hoá|Kinh tế|Địa lý|Truyện|Thơ|Tiểu thuyết|Giáo trình|Sổ tay|Từ điển|Tuyển tập|Hồi ký|Nghiên cứu|Cẩm nang|Kỹ thuật")
	load(w2, "Việt Nam|Hà Nội|Huế|Sài Gòn|nông thôn|miền núi|đồng bằng sông Cửu Long|Tây Nguyên|biển đảo|làng quê|thủ đô|đất nước|con người|tuổi thơ|chiến tranh")
	load(w3, "hiện đại|cổ truyền|thế kỷ XX|thời kỳ đổi mới|cho thiếu nhi|dành cho mọi người|tập 1|tập 2|qua các thời kỳ|và phát triển|những điều cần biết|trong lòng tôi")
	load(pub, "Kim Đồng|Văn học|Trẻ|Giáo dục Việt Nam|Chính trị quốc gia|Hội Nhà văn|Phụ nữ|Thanh niên|Khoa học xã hội|Nông nghiệp|Tổng hợp Thành phố Hồ Chí Minh|Đà Nẵng")
	load(place, "H.|Tp. Hồ Chí Minh|Đà Nẵng|Huế|Cần Thơ")
	load(subj, "Văn học Việt Nam|Lịch sử|Nông nghiệp|Y tế|Tin học|Giáo dục|Địa lý|Kinh tế|Văn hoá dân gian|Thiếu nhi|Pháp luật|Du lịch")
	for (i = start; i < start + n; i++) {
		y = 1950 + (i * 7) % 75
		print "=LDR  00000nam a2200000 a 4500"
		printf "=001  G%08d\n", i
		print "=003  VN-GEN"
		printf "=008  %02d0101s%d\\\\\\\\vm\\\\\\\\\\\\\\\\\\\\\\\\000\\0\\vie\\d\n", y % 100, y
		printf "=020  \\\\$a%s$c%d000đ\n", isbn(i), 20 + i % 300
		print "=040  \\\\$aVN-GEN$bvie$cVN-GEN"
		print "=041  0\\$avie"
		printf "=082  04$a%d.%d$223\n", 300 + i % 600, i % 97
		a = pick(sur, i) " " pick(mid, int(i / 3)) " " pick(giv, int(i / 7))
		printf "=100  0\\$a%s,$d%d-\n", a, 1930 + i % 60
		printf "=245  10$a%s %s %s /$c%s.\n", pick(w1, i), pick(w2, int(i / 11)), pick(w3, int(i / 13)), a
		printf "=260  \\\\$a%s :$bNxb. %s,$c%d.\n", pick(place, i), pick(pub, int(i / 5)), y
		printf "=300  \\\\$a%d tr. ;$c%d cm\n", 80 + i % 600, 19 + i % 6
		if (i % 3 == 0) printf "=490  0\\$aTủ sách %s\n", pick(w2, int(i / 17))
		printf "=500  \\\\$aBản %d; có tranh minh hoạ (ghi chú %d)\n", 1 + i % 9, i
		printf "=650  \\7$a%s$zViệt Nam$2Bộ TĐCĐ\n", pick(subj, i)
		printf "=650  \\7$a%s$2Bộ TĐCĐ\n", pick(subj, int(i / 19))
		if (i % 4 == 0) printf "=700  0\\$a%s %s %s\n", pick(sur, i + 3), pick(mid, i + 1), pick(giv, i + 5)
		printf "=852  \\\\$aVN-GEN$hVV %d$j%06d\n", i % 9999, i
		print ""
	}
}
